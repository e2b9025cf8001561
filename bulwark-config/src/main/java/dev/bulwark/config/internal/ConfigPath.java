package dev.bulwark.config.internal;

import dev.bulwark.config.PathStyle;

/**
 * A path from the root of a configuration to a value: section and setting names (fields), map
 * keys (a protection's key, a breaker's name) and list indexes. Immutable.
 */
public final class ConfigPath {

    enum Kind { FIELD, KEY, INDEX }

    /** The root. */
    public static final ConfigPath ROOT = new ConfigPath(null, null, Kind.FIELD);

    private final ConfigPath parent;
    private final String segment;
    private final Kind kind;

    private ConfigPath(ConfigPath parent, String segment, Kind kind) {
        this.parent = parent;
        this.segment = segment;
        this.kind = kind;
    }

    /** The setting {@code name} (camelCase, as in the schema) below this path. */
    public ConfigPath field(String name) {
        return new ConfigPath(this, name, Kind.FIELD);
    }

    /** The entry {@code key} of the map at this path. */
    public ConfigPath key(String key) {
        return new ConfigPath(this, key, Kind.KEY);
    }

    /** Item {@code index} of the list at this path. */
    public ConfigPath index(int index) {
        return new ConfigPath(this, Integer.toString(index), Kind.INDEX);
    }

    public boolean isRoot() {
        return parent == null;
    }

    /** The last segment (a field name, a key or an index), null for the root. */
    public String last() {
        return segment;
    }

    /** The path rendered in {@code style}: {@code protections.inventory.retry.maxAttempts}. */
    public String render(PathStyle style) {
        if (parent == null) {
            return style.prefix().isEmpty() ? "" : style.prefix().substring(0, style.prefix().length() - 1);
        }
        StringBuilder sb = new StringBuilder();
        append(sb, style);
        return style.prefix() + sb;
    }

    private void append(StringBuilder sb, PathStyle style) {
        if (parent == null) {
            return;
        }
        parent.append(sb, style);
        switch (kind) {
            case FIELD -> {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(style.kebab() ? Names.kebab(segment) : segment);
            }
            case KEY -> {
                if (segment.isEmpty() || segment.indexOf('.') >= 0 || segment.indexOf(' ') >= 0
                        || segment.indexOf('[') >= 0) {
                    sb.append('[').append(segment).append(']');
                } else {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(segment);
                }
            }
            case INDEX -> sb.append('[').append(segment).append(']');
        }
    }

    @Override
    public String toString() {
        return render(PathStyle.FILE);
    }
}
