package dev.bulwark.config.internal;

import dev.bulwark.config.model.ScalarForm;
import dev.bulwark.config.tree.ConfigNode;
import dev.bulwark.config.tree.ListNode;
import dev.bulwark.config.tree.Location;
import dev.bulwark.config.tree.MapNode;
import dev.bulwark.config.tree.ScalarNode;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sets one value in a tree at a path given as tokens, guided by the schema: the way overrides
 * (environment variables, system properties) and flat property sources (Spring) reach into the
 * tree. A token names a setting by its normal form ({@code maxattempts}, {@code max-attempts},
 * {@code maxAttempts}) and is written in the tree under the schema's name, replacing a value
 * written there in any spelling; a map key is kept as given. When tokens came from splitting a
 * name that may itself contain the separator (an environment variable's underscores, a system
 * property's dots), several tokens may form one key: the longest run matching an existing key, or a
 * setting's name, wins. A token that names no setting is kept as written, so that binding reports
 * it with the nearest valid name. Stateless.
 */
public final class TreeEdit {

    private TreeEdit() {
    }

    /**
     * {@code root} with {@code value} at {@code tokens}.
     *
     * @param joiner the separator that split the original name ({@code "_"} or {@code "."}), so
     *               that runs of tokens may be joined back into one key; null when every token is
     *               one segment already (Spring's property names)
     */
    public static MapNode set(MapNode root, Class<?> schema, List<String> tokens, String joiner, ScalarNode value) {
        return (MapNode) set(root, schema, tokens, 0, joiner, value);
    }

    private static ConfigNode set(ConfigNode node, Type type, List<String> tokens, int at, String joiner, ScalarNode value) {
        if (at == tokens.size()) {
            return value;
        }
        Class<?> raw = type == null ? null : Binder.raw(type);
        Location loc = value.location();
        if (raw != null && List.class.isAssignableFrom(raw) && tokens.get(at).matches("\\[?\\d+]?")) {
            int index = Integer.parseInt(tokens.get(at).replace("[", "").replace("]", ""));
            List<ConfigNode> items = node instanceof ListNode l ? new ArrayList<>(l.items()) : new ArrayList<>();
            while (items.size() <= index) {
                items.add(new ScalarNode(null, loc));
            }
            items.set(index, set(items.get(index), Binder.typeArgument(type, 0), tokens, at + 1, joiner, value));
            return new ListNode(items, node instanceof ListNode l ? l.location() : loc);
        }
        MapNode map;
        if (node instanceof MapNode m) {
            map = m;
        } else if (node instanceof ScalarNode s && s.value() != null && raw != null && raw.isRecord()
                && raw.isAnnotationPresent(ScalarForm.class)) {
            // totalTimeout: 2s, then an override of totalTimeout.interrupt
            String first = raw.getRecordComponents()[0].getName();
            map = new MapNode(List.of(new MapNode.Entry(first, s.location(), s)), s.location());
        } else {
            map = MapNode.empty(loc);
        }
        String key;
        Type childType = null;
        int consumed;
        if (raw != null && raw.isRecord()) {
            RecordComponent[] components = raw.getRecordComponents();
            RecordComponent match = null;
            consumed = 1;
            for (int n = joiner == null ? 1 : tokens.size() - at; n >= 1; n--) {
                String candidate = Names.normal(String.join("", tokens.subList(at, at + n)));
                for (RecordComponent c : components) {
                    if (Names.normal(c.getName()).equals(candidate)) {
                        match = c;
                        consumed = n;
                        break;
                    }
                }
                if (match != null) {
                    break;
                }
            }
            key = match != null ? match.getName() : tokens.get(at);
            childType = match != null ? match.getGenericType() : null;
        } else if (raw != null && Map.class.isAssignableFrom(raw)) {
            consumed = 1;
            key = tokens.get(at);
            if (joiner != null) {
                int best = 0;
                for (String existing : map.keys()) {
                    for (int n = tokens.size() - at; n > best; n--) {
                        if (flat(existing, joiner).equals(String.join(joiner, tokens.subList(at, at + n)).toLowerCase(Locale.ROOT))) {
                            best = n;
                            key = existing;
                        }
                    }
                }
                consumed = Math.max(best, 1);
            }
            childType = Binder.typeArgument(type, 1);
        } else {
            consumed = 1;
            key = tokens.get(at);
        }
        int index = -1;
        for (int i = 0; i < map.entries().size(); i++) {
            MapNode.Entry e = map.entries().get(i);
            boolean same = raw != null && raw.isRecord() ? Names.normal(e.key()).equals(Names.normal(key)) : e.key().equals(key);
            if (same) {
                index = i;
                break;
            }
        }
        ConfigNode existing = index >= 0 ? map.entries().get(index).value() : null;
        ConfigNode child = set(existing == null ? MapNode.empty(loc) : existing, childType, tokens, at + consumed, joiner, value);
        Location keyAt = index >= 0 ? map.entries().get(index).keyLocation() : loc;
        return map.with(index, new MapNode.Entry(index >= 0 ? map.entries().get(index).key() : key, keyAt, child));
    }

    /** A key as an environment variable or system property spells it: lower case, other separators as {@code joiner}. */
    private static String flat(String key, String joiner) {
        String lower = key.toLowerCase(Locale.ROOT);
        return joiner.equals("_") ? lower.replaceAll("[^a-z0-9]", "_") : lower;
    }
}
