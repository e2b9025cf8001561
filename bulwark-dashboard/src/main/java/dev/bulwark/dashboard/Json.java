package dev.bulwark.dashboard;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * A small JSON writer for the dashboard's answers: strings, numbers, booleans, null, maps,
 * collections, arrays of primitives, enums (their name in lower case), {@link Duration} (in
 * milliseconds), {@link Instant} (ISO-8601), {@link Optional}, and records (an object of their
 * components, read through their public accessors). Anything else is written as its
 * {@code toString()}. Non-finite numbers become {@code null}. Nesting is bounded, so a cyclic
 * structure cannot overflow the stack.
 */
final class Json {

    private static final int MAX_DEPTH = 16;

    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(out, value, 0);
        return out.toString();
    }

    static void write(StringBuilder out, Object value, int depth) {
        if (depth > MAX_DEPTH) {
            string(out, String.valueOf(value));
            return;
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof CharSequence s) {
            string(out, s.toString());
        } else if (value instanceof Double d) {
            number(out, d);
        } else if (value instanceof Float f) {
            number(out, f.doubleValue());
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Enum<?> e) {
            string(out, e.name().toLowerCase(java.util.Locale.ROOT));
        } else if (value instanceof Duration d) {
            out.append(d.toMillis());
        } else if (value instanceof Instant i) {
            string(out, i.toString());
        } else if (value instanceof Optional<?> o) {
            write(out, o.orElse(null), depth + 1);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue(), depth + 1);
            }
            out.append('}');
        } else if (value instanceof Collection<?> c) {
            out.append('[');
            boolean first = true;
            for (Object item : c) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(out, item, depth + 1);
            }
            out.append(']');
        } else if (value instanceof double[] array) {
            out.append('[');
            for (int i = 0; i < array.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                number(out, array[i]);
            }
            out.append(']');
        } else if (value instanceof long[] array) {
            out.append('[');
            for (int i = 0; i < array.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(array[i]);
            }
            out.append(']');
        } else if (value instanceof Record record) {
            record(out, record, depth);
        } else {
            string(out, value.toString());
        }
    }

    private static void record(StringBuilder out, Record record, int depth) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        StringBuilder body = new StringBuilder();
        body.append('{');
        try {
            for (int i = 0; i < components.length; i++) {
                if (i > 0) {
                    body.append(',');
                }
                string(body, components[i].getName());
                body.append(':');
                write(body, components[i].getAccessor().invoke(record), depth + 1);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a record of a package this module cannot read: its text form
            string(out, record.toString());
            return;
        }
        body.append('}');
        out.append(body);
    }

    private static void number(StringBuilder out, double d) {
        if (Double.isFinite(d)) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                out.append((long) d);
            } else {
                out.append(d);
            }
        } else {
            out.append("null");
        }
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<' -> out.append("\\u003c");   // never closes a script element
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
