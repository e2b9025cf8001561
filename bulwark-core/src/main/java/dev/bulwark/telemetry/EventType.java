package dev.bulwark.telemetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The declaration of one kind of event: its name (a suffix after the telemetry prefix), the
 * measurements it carries with their units, and the metadata keys it carries with, for each,
 * whether its values are few enough to become a metric tag.
 *
 * <p>Every event Bulwark emits is declared once, in {@link Events} or in the module that emits it
 * (and registered with {@link Telemetry#declare}); the catalogue in docs/telemetry.md is checked
 * against the declarations, and a test checks that emitted events carry only declared keys.
 * A consumer finds the declaration of a received event with {@link Telemetry#declaration(EventName)}.
 *
 * <p><b>Tags.</b> A {@link Field#tag() tag} field has a value set bounded by configuration
 * (breaker names, protection keys, operations, outcomes, reasons); a detail field may take any
 * number of values (entity ids, messages, exceptions) and must never become a metric tag.
 *
 * <p>Immutable and thread-safe; equal when the name is equal.
 */
public final class EventType {

    /** A numeric measurement of an event. */
    public record Measurement(String name, Unit unit, String description) {
        public Measurement {
            requireKey("measurement name", name);
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(description, "description");
        }
    }

    /** A metadata key of an event; {@code tag} when its values are bounded in number. */
    public record Field(String key, boolean tag, String description) {
        public Field {
            requireKey("metadata key", key);
            Objects.requireNonNull(description, "description");
        }
    }

    private final EventName suffix;
    private final String description;
    private final Map<String, Measurement> measurements;
    private final Map<String, Field> metadata;
    private final boolean openMetadata;

    private EventType(Builder b) {
        this.suffix = b.suffix;
        this.description = b.description;
        this.measurements = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.measurements));
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.openMetadata = b.openMetadata;
    }

    /**
     * Starts a declaration.
     *
     * @param segments the name after the prefix, e.g. {@code "pool", "checked_out"}
     * @throws IllegalArgumentException if a segment is empty or contains a dot
     */
    public static Builder builder(String... segments) {
        return new Builder(EventName.of(segments));
    }

    /** The name after the telemetry prefix, e.g. {@code circuit_breaker.state_change}. */
    public EventName suffix() {
        return suffix;
    }

    /** What the event means. */
    public String description() {
        return description;
    }

    /** The measurements, in declaration order. */
    public List<Measurement> measurements() {
        return List.copyOf(measurements.values());
    }

    /** The metadata keys, in declaration order. */
    public List<Field> metadata() {
        return List.copyOf(metadata.values());
    }

    /** The declared measurement of that name. */
    public Optional<Measurement> measurement(String name) {
        return Optional.ofNullable(measurements.get(name));
    }

    /** The declared metadata field of that key. */
    public Optional<Field> field(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** The metadata keys that may become metric tags. */
    public List<String> tagKeys() {
        List<String> tags = new ArrayList<>();
        for (Field f : metadata.values()) {
            if (f.tag()) {
                tags.add(f.key());
            }
        }
        return List.copyOf(tags);
    }

    /**
     * What in an emitted event does not match this declaration (an undeclared measurement or
     * metadata key), or an empty list. Events may leave declared keys out (a key that only some
     * outcomes carry), and may carry the caller's own metadata under keys this declaration
     * marks as open with {@link Builder#openMetadata()}.
     */
    public List<String> mismatches(Map<String, ? extends Number> emittedMeasurements, Map<String, ?> emittedMetadata) {
        Objects.requireNonNull(emittedMeasurements, "emittedMeasurements");
        Objects.requireNonNull(emittedMetadata, "emittedMetadata");
        List<String> problems = new ArrayList<>();
        for (String name : emittedMeasurements.keySet()) {
            if (!measurements.containsKey(name)) {
                problems.add(suffix + ": undeclared measurement '" + name + "'");
            }
        }
        if (!openMetadata) {
            for (String key : emittedMetadata.keySet()) {
                if (!metadata.containsKey(key)) {
                    problems.add(suffix + ": undeclared metadata key '" + key + "'");
                }
            }
        }
        return problems;
    }

    /** Whether the event may carry the caller's own metadata besides the declared keys. */
    public boolean hasOpenMetadata() {
        return openMetadata;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventType other && suffix.equals(other.suffix);
    }

    @Override
    public int hashCode() {
        return suffix.hashCode();
    }

    @Override
    public String toString() {
        return "EventType[" + suffix + "]";
    }

    private static void requireKey(String what, String key) {
        if (key == null || !key.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException(what + " must be lower_snake_case, was " + (key == null ? "null" : "'" + key + "'"));
        }
    }

    /** Builds an {@link EventType}; not thread-safe. */
    public static final class Builder {
        private final EventName suffix;
        private String description = "";
        private final Map<String, Measurement> measurements = new LinkedHashMap<>();
        private final Map<String, Field> metadata = new LinkedHashMap<>();
        private boolean openMetadata;

        private Builder(EventName suffix) {
            this.suffix = suffix;
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /** A measurement in {@code unit}. */
        public Builder measurement(String name, Unit unit, String description) {
            return add(measurements, name, new Measurement(name, unit, description));
        }

        /** A metadata key whose values are bounded in number (a name, an outcome, a reason). */
        public Builder tag(String key, String description) {
            return add(metadata, key, new Field(key, true, description));
        }

        /** A metadata key whose values are not bounded (an entity id, a message, an object). */
        public Builder detail(String key, String description) {
            return add(metadata, key, new Field(key, false, description));
        }

        /** The event also carries metadata of the caller's own, under keys it chooses. */
        public Builder openMetadata() {
            this.openMetadata = true;
            return this;
        }

        public EventType build() {
            return new EventType(this);
        }

        private <V> Builder add(Map<String, V> into, String key, V value) {
            if (measurements.containsKey(key) || metadata.containsKey(key)) {
                throw new IllegalArgumentException(suffix + ": key '" + key + "' is declared twice");
            }
            into.put(key, value);
            return this;
        }
    }
}
