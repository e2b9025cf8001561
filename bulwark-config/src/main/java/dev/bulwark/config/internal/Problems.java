package dev.bulwark.config.internal;

import dev.bulwark.config.PathStyle;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.tree.ConfigNode;
import dev.bulwark.config.tree.ListNode;
import dev.bulwark.config.tree.Location;
import dev.bulwark.config.tree.MapNode;
import dev.bulwark.config.tree.ScalarNode;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The problems found in one configuration source, collected so that all of them are reported at
 * once. Each becomes an {@link InfraError} (1101, 1201 or 1301) whose message names the path, the
 * location and the bad value, and whose context holds them as {@code path}, {@code source},
 * {@code line}, {@code column} and {@code value}. Not thread-safe.
 */
public final class Problems {

    private static final int MAX_VALUE_TEXT = 80;

    private final PathStyle style;
    private final List<InfraError> errors = new ArrayList<>();

    public Problems() {
        this(PathStyle.FILE);
    }

    public Problems(PathStyle style) {
        this.style = style;
    }

    public PathStyle style() {
        return style;
    }

    /** How many problems were found so far. */
    public int count() {
        return errors.size();
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /** The problems found, in the order of their location. */
    public List<InfraError> errors() {
        List<InfraError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparing((InfraError e) -> String.valueOf(e.context().get("source")))
                .thenComparingInt(e -> (Integer) e.context().getOrDefault("line", Integer.MAX_VALUE))
                .thenComparingInt(e -> (Integer) e.context().getOrDefault("column", 0)));
        return List.copyOf(sorted);
    }

    /**
     * 1101: the shape is wrong (a map where a value belongs, a key missing, malformed text); the
     * message is {@code what at <path> (<location>): detail}.
     */
    public void structure(ConfigPath path, Location at, ConfigNode value, String what, String detail) {
        add(CoreErrorCode.INVALID_CONFIG_STRUCTURE, path, at, value,
                what + where(path, at) + (detail == null ? "" : ": " + detail), null);
    }

    /** 1201: a value is invalid, {@code detail} says why (a builder's message, the expected type). */
    public void value(ConfigPath path, Location at, ConfigNode value, String detail) {
        String shown = value == null ? null : shown(value);
        add(CoreErrorCode.INVALID_CONFIG_VALUE, path, at, value,
                (shown == null ? "invalid value" : "invalid value " + shown) + where(path, at) + ": " + detail, null);
    }

    /** 1201 for a value that names something unknown (a breaker, a rule, an enum constant). */
    public void unknownName(ConfigPath path, Location at, ConfigNode value, String what, Collection<String> known) {
        String name = value instanceof ScalarNode s ? s.text() : String.valueOf(value);
        String nearest = Names.nearest(name, known);
        String detail = "no " + what + " is named '" + name + "'"
                + (nearest != null ? ": did you mean '" + nearest + "'?" : known.isEmpty() ? ""
                : " (known: " + String.join(", ", known) + ")");
        add(CoreErrorCode.INVALID_CONFIG_VALUE, path, at, value,
                "invalid value " + shown(value) + where(path, at) + ": " + detail, nearest);
    }

    /** 1101 for a key the schema does not know, with the nearest valid name. */
    public void unknownKey(ConfigPath parent, String key, Location at, Collection<String> validCamel) {
        List<String> valid = validCamel.stream().map(style::name).collect(Collectors.toList());
        String nearest = Names.nearest(key, valid);
        String message = "unknown key '" + key + "' at " + render(parent) + " (" + at + ")"
                + (nearest != null ? ": did you mean '" + nearest + "'?" : ": valid keys are " + String.join(", ", valid));
        add(CoreErrorCode.INVALID_CONFIG_STRUCTURE, parent, at, null, message, nearest, key);
    }

    /** 1301: the source cannot be found or read. */
    public void notFound(Location at, String message) {
        add(CoreErrorCode.CONFIG_NOT_FOUND, null, at, null, message, null);
    }

    /** The message tail {@code  at <path> (<location>)}. */
    public String where(ConfigPath path, Location at) {
        String p = render(path);
        return (p.isEmpty() ? "" : " at " + p) + (at == null ? "" : " (" + at + ")");
    }

    /** {@code path} as this source writes it; the top level when empty. */
    public String render(ConfigPath path) {
        if (path == null) {
            return "";
        }
        String p = path.render(style);
        return p.isEmpty() ? "the top level" : p;
    }

    /** The exception holding every problem; call only when there is one. */
    public ConfigException exception(String source) {
        List<InfraError> sorted = errors();
        InfraError first = sorted.get(0);
        StringBuilder message = new StringBuilder();
        if (sorted.size() == 1) {
            message.append(first.message());
        } else {
            message.append(sorted.size()).append(" problems in ").append(source).append(':');
            for (InfraError e : sorted) {
                message.append("\n  - ").append(e.message());
            }
        }
        InfraError summary = InfraError.builder(first.errorCode())
                .message(message.toString())
                .context("source", source)
                .context("errors", sorted.size())
                .context(first.context())
                .build();
        return new ConfigException(summary, sorted);
    }

    private void add(ErrorCode code, ConfigPath path, Location at, ConfigNode value, String message, String suggestion) {
        add(code, path, at, value, message, suggestion, null);
    }

    private void add(ErrorCode code, ConfigPath path, Location at, ConfigNode value, String message, String suggestion,
                     String key) {
        InfraError.Builder b = InfraError.builder(code).message(message);
        if (key != null) {
            b.context("key", key);
        }
        if (path != null) {
            b.context("path", path.isRoot() ? "" : path.render(style));
        }
        if (at != null) {
            b.context("source", at.source());
            if (at.hasLine()) {
                b.context("line", at.line());
                if (at.column() > 0) {
                    b.context("column", at.column());
                }
            }
        }
        if (value != null) {
            b.context("value", raw(value));
        }
        if (suggestion != null) {
            b.context("suggestion", suggestion);
        }
        errors.add(b.build());
    }

    /** A value as quoted in a message: {@code '0'}, {@code a map}. */
    public static String shown(ConfigNode value) {
        if (value instanceof ScalarNode s) {
            String text = s.text();
            return "'" + (text.length() > MAX_VALUE_TEXT ? text.substring(0, MAX_VALUE_TEXT) + "..." : text) + "'";
        }
        return value.kind();
    }

    private static Object raw(ConfigNode value) {
        if (value instanceof ScalarNode s) {
            return s.value() == null ? "null" : s.value();
        }
        if (value instanceof MapNode m) {
            return "map of " + m.keys();
        }
        return "list of " + ((ListNode) value).items().size();
    }
}
