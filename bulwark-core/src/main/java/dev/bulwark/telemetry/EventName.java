package dev.bulwark.telemetry;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The name of a telemetry event: a list of segments, written with dots
 * ({@code foundation.infra.circuit_breaker.state_change}), as Erlang's {@code :telemetry} names
 * events with lists of atoms.
 *
 * <p>Immutable and thread-safe; hash code and string form are computed once, so names are cheap
 * map keys. Segments are non-blank and contain no dot.
 */
public final class EventName {

    private final String[] segments;
    private final String dotted;
    private final int hash;

    private EventName(String[] segments) {
        this.segments = segments;
        this.dotted = String.join(".", segments);
        this.hash = dotted.hashCode();
    }

    /**
     * A name from its segments.
     *
     * @throws IllegalArgumentException if there is no segment, or one is null, blank or contains a dot
     */
    public static EventName of(String... segments) {
        Objects.requireNonNull(segments, "segments");
        if (segments.length == 0) {
            throw new IllegalArgumentException("an event name needs at least one segment");
        }
        String[] copy = segments.clone();
        for (int i = 0; i < copy.length; i++) {
            String s = copy[i];
            if (s == null || s.isBlank() || s.indexOf('.') >= 0) {
                throw new IllegalArgumentException("event name segments[" + i + "] must be non-blank and contain no '.', was "
                        + (s == null ? "null" : "'" + s + "'"));
            }
        }
        return new EventName(copy);
    }

    /**
     * A name from its dotted form, e.g. {@code "foundation.infra"}.
     *
     * @throws IllegalArgumentException if the text is empty or has an empty or blank segment
     */
    public static EventName parse(String dotted) {
        Objects.requireNonNull(dotted, "dotted");
        if (dotted.isEmpty() || dotted.startsWith(".") || dotted.endsWith(".") || dotted.contains("..")) {
            throw new IllegalArgumentException("event name must be dot-separated non-blank segments, was '" + dotted + "'");
        }
        String[] segments = dotted.split("\\.");
        for (String s : segments) {
            if (s.isBlank()) {
                throw new IllegalArgumentException("event name must be dot-separated non-blank segments, was '" + dotted + "'");
            }
        }
        return new EventName(segments);
    }

    /** This name followed by {@code suffix}'s segments. */
    public EventName append(EventName suffix) {
        Objects.requireNonNull(suffix, "suffix");
        String[] joined = Arrays.copyOf(segments, segments.length + suffix.segments.length);
        System.arraycopy(suffix.segments, 0, joined, segments.length, suffix.segments.length);
        return new EventName(joined);
    }

    /** This name followed by more segments. */
    public EventName append(String... more) {
        return append(of(Objects.requireNonNull(more, "more")));
    }

    /** Whether this name begins with all segments of {@code prefix} (a name starts with itself). */
    public boolean startsWith(EventName prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.segments.length > segments.length) {
            return false;
        }
        for (int i = 0; i < prefix.segments.length; i++) {
            if (!segments[i].equals(prefix.segments[i])) {
                return false;
            }
        }
        return true;
    }

    /** The segments, in order. */
    public List<String> segments() {
        return List.of(segments);
    }

    /** The last segment, e.g. {@code state_change}. */
    public String lastSegment() {
        return segments[segments.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof EventName other && hash == other.hash && dotted.equals(other.dotted);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The dotted form. */
    @Override
    public String toString() {
        return dotted;
    }
}
