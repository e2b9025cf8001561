package dev.bulwark.ratelimit;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The metadata of a {@code request_allowed} / {@code request_denied} event: entity, operation and
 * the rule's name, limit, window and algorithm, as an immutable map that is one small object per
 * event. Keys are looked up by a switch, and the boxed limit and window are only made when asked
 * for, so a handler that reads the operation (a metrics binder) costs the emitter one allocation
 * instead of a six-entry map, two boxes and a lower-cased string.
 */
final class LimitEventMetadata extends AbstractMap<String, Object> {

    private static final String[] KEYS = {"entity_id", "operation", "rule", "limit", "window_ms", "algorithm"};
    private static final String[] ALGORITHMS = new String[Algorithm.values().length];

    static {
        for (Algorithm a : Algorithm.values()) {
            ALGORITHMS[a.ordinal()] = a.name().toLowerCase(Locale.ROOT);
        }
    }

    private final String entityId;
    private final String operation;
    private final RateLimit rule;

    LimitEventMetadata(String entityId, String operation, RateLimit rule) {
        this.entityId = entityId;
        this.operation = operation;
        this.rule = rule;
    }

    static String algorithmName(Algorithm algorithm) {
        return ALGORITHMS[algorithm.ordinal()];
    }

    private Object value(int index) {
        return switch (index) {
            case 0 -> entityId;
            case 1 -> operation;
            case 2 -> rule.name();
            case 3 -> rule.limit();
            case 4 -> rule.window().toMillis();
            default -> ALGORITHMS[rule.algorithm().ordinal()];
        };
    }

    private static int index(Object key) {
        if (!(key instanceof String k)) {
            return -1;
        }
        return switch (k) {
            case "entity_id" -> 0;
            case "operation" -> 1;
            case "rule" -> 2;
            case "limit" -> 3;
            case "window_ms" -> 4;
            case "algorithm" -> 5;
            default -> -1;
        };
    }

    @Override
    public Object get(Object key) {
        int i = index(key);
        return i < 0 ? null : value(i);
    }

    @Override
    public boolean containsKey(Object key) {
        return index(key) >= 0;
    }

    @Override
    public int size() {
        return KEYS.length;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < KEYS.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next >= KEYS.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return Map.entry(KEYS[i], value(i));
                    }
                };
            }

            @Override
            public int size() {
                return KEYS.length;
            }
        };
    }

    // immutable, as the Map.of it replaces
    @Override
    public Object put(String key, Object value) {
        throw new UnsupportedOperationException("event metadata is immutable");
    }

    @Override
    public Object remove(Object key) {
        throw new UnsupportedOperationException("event metadata is immutable");
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("event metadata is immutable");
    }
}
