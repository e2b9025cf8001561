package dev.bulwark.config.internal;

import dev.bulwark.config.model.ScalarForm;
import dev.bulwark.config.tree.ConfigNode;
import dev.bulwark.config.tree.ListNode;
import dev.bulwark.config.tree.Location;
import dev.bulwark.config.tree.MapNode;
import dev.bulwark.config.tree.ScalarNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a {@link ConfigNode} tree onto the schema's records by reflection: every key is matched to
 * a record component (by its normal form, so camelCase, kebab-case and environment spellings all
 * match), every value is converted to the component's type, and every problem is reported to
 * {@link Problems} with its path and location, without stopping at the first. A component whose
 * value is missing or invalid is null.
 *
 * <p>Records may be written as a single value when annotated {@link ScalarForm}. Supported value
 * types: {@code String}, {@code Integer}, {@code Long}, {@code Double}, {@code Boolean},
 * {@link Duration}, enums, {@code List<X>}, {@code Map<String, X>}, records, and {@code Object}
 * (any value, as plain Java: String, Long, Double, Boolean, List, Map).
 *
 * <p>Where each bound record came from is kept ({@link #where}), so that the builders' own checks,
 * run later, can be reported at the setting they concern. Not thread-safe; one per binding.
 */
public final class Binder {

    /** Where a record was bound from. */
    public record Origin(ConfigPath path, ConfigNode node, Map<String, MapNode.Entry> entries, boolean clean) {
    }

    private final Problems problems;
    private final Map<Object, Origin> origins = new IdentityHashMap<>();

    public Binder(Problems problems) {
        this.problems = problems;
    }

    public Problems problems() {
        return problems;
    }

    /** Binds {@code node} as {@code type} at {@code path}; null when it cannot be bound (problems reported). */
    @SuppressWarnings("unchecked")
    public <R> R bind(ConfigNode node, Class<R> type, ConfigPath path) {
        return (R) value(node, type, path);
    }

    /** Where {@code record} was bound from, or null. */
    public Origin where(Object record) {
        return record == null ? null : origins.get(record);
    }

    /** The path of setting {@code component} of {@code record}. */
    public ConfigPath path(Object record, String component) {
        Origin o = where(record);
        return o == null ? ConfigPath.ROOT.field(component) : o.path.field(component);
    }

    /** The location of setting {@code component} of {@code record} (its value), else of the record. */
    public Location location(Object record, String component) {
        Origin o = where(record);
        if (o == null) {
            return null;
        }
        MapNode.Entry e = o.entries.get(component);
        return e != null ? e.value().location() : o.node.location();
    }

    /** The node written for {@code component} of {@code record}, or null. */
    public ConfigNode node(Object record, String component) {
        Origin o = where(record);
        MapNode.Entry e = o == null ? null : o.entries.get(component);
        return e == null ? null : e.value();
    }

    /** Whether {@code record} and everything below it bound without a problem. */
    public boolean clean(Object record) {
        Origin o = where(record);
        return o == null || o.clean;
    }

    private Object value(ConfigNode node, Type type, ConfigPath path) {
        Class<?> raw = raw(type);
        if (raw == Object.class) {
            return plain(node);
        }
        if (raw.isRecord()) {
            return record(node, raw, path);
        }
        if (Map.class.isAssignableFrom(raw)) {
            return map(node, typeArgument(type, 1), path);
        }
        if (List.class.isAssignableFrom(raw)) {
            return list(node, typeArgument(type, 0), path);
        }
        if (!(node instanceof ScalarNode scalar)) {
            problems.structure(path, node.location(), node, node.kind().substring(0, 1).toUpperCase() + node.kind().substring(1)
                    + " where a value belongs", "expected " + expected(raw));
            return null;
        }
        if (scalar.value() == null) {
            problems.value(path, node.location(), node, "expected " + expected(raw) + ", not null (leave the key out for the default)");
            return null;
        }
        try {
            return scalar(scalar, raw);
        } catch (IllegalArgumentException e) {
            if (raw.isEnum() && e instanceof UnknownConstant u) {
                problems.unknownName(path, node.location(), node, u.what, u.known);
            } else {
                problems.value(path, node.location(), node, e.getMessage());
            }
            return null;
        }
    }

    private Object record(ConfigNode node, Class<?> type, ConfigPath path) {
        RecordComponent[] components = type.getRecordComponents();
        if (node instanceof ScalarNode scalar && type.isAnnotationPresent(ScalarForm.class) && scalar.value() != null) {
            MapNode.Entry entry = new MapNode.Entry(components[0].getName(), node.location(), node);
            node = new MapNode(List.of(entry), node.location());
        }
        if (!(node instanceof MapNode map)) {
            problems.structure(path, node.location(), node, expectedMapWhat(node),
                    "expected a map of " + String.join(", ", names(components))
                            + (type.isAnnotationPresent(ScalarForm.class) ? ", or a single value for " + components[0].getName() : ""));
            return null;
        }
        int before = problems.count();
        Map<String, RecordComponent> byNormal = new HashMap<>();
        for (RecordComponent c : components) {
            byNormal.put(Names.normal(c.getName()), c);
        }
        Map<String, MapNode.Entry> entries = new LinkedHashMap<>();
        Object[] args = new Object[components.length];
        Map<String, MapNode.Entry> seen = new HashMap<>();
        for (MapNode.Entry e : map.entries()) {
            RecordComponent c = byNormal.get(Names.normal(e.key()));
            if (c == null) {
                problems.unknownKey(path, e.key(), e.keyLocation(), names(components));
                continue;
            }
            MapNode.Entry earlier = seen.putIfAbsent(c.getName(), e);
            if (earlier != null) {
                problems.structure(path.field(c.getName()), e.keyLocation(), null, "duplicate key '" + e.key() + "'",
                        "already set at " + earlier.keyLocation());
                continue;
            }
            entries.put(c.getName(), e);
            int index = Arrays.asList(components).indexOf(c);
            args[index] = value(e.value(), c.getGenericType(), path.field(c.getName()));
        }
        Object instance = construct(type, components, args, path, node.location());
        if (instance != null) {
            origins.put(instance, new Origin(path, node, Collections.unmodifiableMap(entries), problems.count() == before));
        }
        return instance;
    }

    private Object construct(Class<?> type, RecordComponent[] components, Object[] args, ConfigPath path, Location at) {
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            constructor.trySetAccessible();
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            problems.value(path, at, null, String.valueOf(e.getCause().getMessage()));
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("schema record " + type.getName() + " cannot be constructed", e);
        }
    }

    private Map<String, Object> map(ConfigNode node, Type valueType, ConfigPath path) {
        if (!(node instanceof MapNode map)) {
            problems.structure(path, node.location(), node, expectedMapWhat(node), "expected a map by name");
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, MapNode.Entry> seen = new HashMap<>();
        for (MapNode.Entry e : map.entries()) {
            MapNode.Entry earlier = seen.putIfAbsent(e.key(), e);
            if (earlier != null) {
                problems.structure(path.key(e.key()), e.keyLocation(), null, "duplicate key '" + e.key() + "'",
                        "already set at " + earlier.keyLocation());
                continue;
            }
            Object v = value(e.value(), valueType, path.key(e.key()));
            if (v != null) {
                out.put(e.key(), v);
            }
        }
        return out;
    }

    private List<Object> list(ConfigNode node, Type itemType, ConfigPath path) {
        List<ConfigNode> items;
        if (node instanceof ListNode list) {
            items = list.items();
        } else if (node instanceof ScalarNode s && s.value() instanceof String text && raw(itemType) == String.class) {
            // flat sources write lists comma-separated: recordExceptions=java.io.IOException,java.net.SocketException
            items = new ArrayList<>();
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    items.add(new ScalarNode(part.trim(), s.location()));
                }
            }
        } else {
            problems.structure(path, node.location(), node, node.kind().substring(0, 1).toUpperCase() + node.kind().substring(1)
                    + " where a list belongs", "expected a list");
            return null;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object v = value(items.get(i), itemType, path.index(i));
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static String expectedMapWhat(ConfigNode node) {
        return node instanceof ScalarNode ? "a value where a map belongs" : node.kind().substring(0, 1).toUpperCase()
                + node.kind().substring(1) + " where a map belongs";
    }

    private static Object scalar(ScalarNode node, Class<?> raw) {
        Object v = node.value();
        if (raw == String.class) {
            return v.toString();
        }
        if (raw == Boolean.class || raw == boolean.class) {
            if (v instanceof Boolean b) {
                return b;
            }
            String t = v.toString().trim();
            if (t.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (t.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("expected true or false");
        }
        if (raw == Integer.class || raw == int.class) {
            long l = integral(v);
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("expected a whole number between " + Integer.MIN_VALUE + " and "
                        + Integer.MAX_VALUE);
            }
            return (int) l;
        }
        if (raw == Long.class || raw == long.class) {
            return integral(v);
        }
        if (raw == Double.class || raw == double.class) {
            if (v instanceof Number n && !(n instanceof BigInteger)) {
                return n.doubleValue();
            }
            try {
                double d = Double.parseDouble(v.toString().trim());
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number");
            }
        }
        if (raw == Duration.class) {
            if (v instanceof Number) {
                String t = v.toString();
                throw new IllegalArgumentException("a duration needs a unit: " + t + "ms, " + t + "s (ns, us, ms, s, m, h, d), or ISO-8601 (PT" + t + "S)");
            }
            return Durations.parse(v.toString());
        }
        if (raw.isEnum()) {
            String wanted = Names.enumNormal(v.toString());
            List<String> known = new ArrayList<>();
            for (Object constant : raw.getEnumConstants()) {
                String name = ((Enum<?>) constant).name().toLowerCase(java.util.Locale.ROOT);
                if (Names.enumNormal(name).equals(wanted)) {
                    return constant;
                }
                known.add(name);
            }
            throw new UnknownConstant(raw.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT), known);
        }
        throw new IllegalStateException("unsupported schema type " + raw.getName());
    }

    private static long integral(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof BigInteger) {
            throw new IllegalArgumentException("expected a whole number, this one is too large");
        }
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return d.longValue();
            }
            throw new IllegalArgumentException("expected a whole number");
        }
        String t = v.toString().trim().replace("_", "");
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    /** A value as plain Java, for settings of any type (a fallback's static value). */
    static Object plain(ConfigNode node) {
        if (node instanceof ScalarNode s) {
            return s.value();
        }
        if (node instanceof ListNode l) {
            List<Object> out = new ArrayList<>();
            for (ConfigNode item : l.items()) {
                out.add(plain(item));
            }
            return Collections.unmodifiableList(out);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (MapNode.Entry e : ((MapNode) node).entries()) {
            out.put(e.key(), plain(e.value()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static String expected(Class<?> raw) {
        if (raw == String.class) {
            return "text";
        }
        if (raw == Integer.class || raw == Long.class) {
            return "a whole number";
        }
        if (raw == Double.class) {
            return "a number";
        }
        if (raw == Boolean.class) {
            return "true or false";
        }
        if (raw == Duration.class) {
            return "a duration such as 500ms, 2s or PT2S";
        }
        if (raw.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : raw.getEnumConstants()) {
                names.add(((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT));
            }
            return "one of " + String.join(", ", names);
        }
        return raw.getSimpleName();
    }

    static List<String> names(RecordComponent[] components) {
        List<String> names = new ArrayList<>(components.length);
        for (RecordComponent c : components) {
            names.add(c.getName());
        }
        return names;
    }

    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported schema type " + type);
    }

    static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[index];
        }
        return Object.class;
    }

    /** An enum value that names no constant. */
    private static final class UnknownConstant extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String what;
        final List<String> known;

        UnknownConstant(String what, List<String> known) {
            super("unknown " + what);
            this.what = what;
            this.known = known;
        }
    }
}
