package dev.bulwark.eventstore;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON for the flat objects the PostgreSQL store keeps in its JSONB columns: string keys, string or
 * number values, no nesting. Hand-written because that is all the store needs (about a hundred
 * lines instead of a JSON library on the class path of every user of the store); anything outside
 * that shape is refused with an {@link IllegalArgumentException} naming the position.
 *
 * <p>A non-finite number (NaN, infinity) has no JSON form and is written as a string, which
 * {@link #parseNumbers} turns back into the double. {@code U+0000}, which JSONB refuses, becomes
 * {@code U+FFFD}. Stateless and thread-safe.
 */
final class FlatJson {

    private FlatJson() {
    }

    static void write(StringBuilder out, Map<String, ?> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, e.getKey());
            out.append(':');
            Object v = e.getValue();
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                out.append(((Number) v).longValue());
            } else if (v instanceof Number n) {
                double d = n.doubleValue();
                if (Double.isFinite(d)) {
                    out.append(d);
                } else {
                    string(out, Double.toString(d));
                }
            } else {
                string(out, String.valueOf(v));
            }
        }
        out.append('}');
    }

    static String write(Map<String, ?> map) {
        StringBuilder sb = new StringBuilder();
        write(sb, map);
        return sb.toString();
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0 -> out.append('\uFFFD');
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A flat object whose values are kept as strings (numbers in their JSON spelling). */
    static Map<String, String> parseStrings(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        new Parser(json).object((k, v, number) -> out.put(k, v));
        return out.isEmpty() ? Map.of() : Collections.unmodifiableMap(out);
    }

    /** A flat object whose values are numbers: Long when integral, else Double (a string is parsed as a double). */
    static Map<String, Number> parseNumbers(String json) {
        Map<String, Number> out = new LinkedHashMap<>();
        new Parser(json).object((k, v, number) -> {
            if (number && v.indexOf('.') < 0 && v.indexOf('e') < 0 && v.indexOf('E') < 0) {
                try {
                    out.put(k, Long.parseLong(v));
                    return;
                } catch (NumberFormatException tooBig) {
                    // falls through to a double
                }
            }
            out.put(k, Double.parseDouble(v));
        });
        return out.isEmpty() ? Map.of() : Collections.unmodifiableMap(out);
    }

    private interface Member {
        void accept(String key, String value, boolean number);
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        void object(Member member) {
            ws();
            expect('{');
            ws();
            if (peek() == '}') {
                i++;
                end();
                return;
            }
            while (true) {
                ws();
                String key = string();
                ws();
                expect(':');
                ws();
                char c = peek();
                if (c == '"') {
                    member.accept(key, string(), false);
                } else {
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw error("a string or a number");
                    }
                    member.accept(key, s.substring(start, i), true);
                }
                ws();
                char next = peek();
                i++;
                if (next == '}') {
                    end();
                    return;
                }
                if (next != ',') {
                    i--;
                    throw error("',' or '}'");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("the end of a string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("an escape");
                }
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw error("more input");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "'");
            }
            i++;
        }

        private void end() {
            ws();
            if (i != s.length()) {
                throw error("the end");
            }
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("flat JSON object expected " + expected + " at position " + i + " of: "
                    + (s.length() > 200 ? s.substring(0, 200) + "…" : s));
        }
    }
}
