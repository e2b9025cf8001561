package dev.bulwark.config.tree;

/**
 * A single value: a string, a number ({@code Long}, {@code java.math.BigInteger} or {@code Double}),
 * a boolean, or null. Values from flat sources (environment variables, system properties,
 * {@code .properties} files) are always strings; the schema converts them.
 *
 * @param value    the value as the source gave it
 * @param location where it came from
 */
public record ScalarNode(Object value, Location location) implements ConfigNode {

    public ScalarNode {
        java.util.Objects.requireNonNull(location, "location");
        if (value != null && !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new IllegalArgumentException("a scalar is a string, number, boolean or null, was " + value.getClass().getName());
        }
    }

    /** The value as text, as it would be quoted in a message ({@code null} for null). */
    public String text() {
        return String.valueOf(value);
    }

    @Override
    public String kind() {
        return "a value";
    }
}
