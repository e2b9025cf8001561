package dev.bulwark.eventstore;

import dev.bulwark.telemetry.EventName;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record of the event log: an event kept one by one ({@link Kind#EVENT}), or the rejections of
 * one (event, component, reason, entity) within one second folded into a count
 * ({@link Kind#AGGREGATE}).
 *
 * <p>Measurements are normalised so that a record reads back equal to what was written: integral
 * numbers become {@link Long}, others {@link Double}. Metadata values are strings (an object is
 * kept as its {@code toString()}). The maps keep their order and are unmodifiable.
 *
 * @param timestampMillis when it happened (epoch milliseconds, the infrastructure's clock); for an
 *                        aggregate, when its first rejection happened
 * @param name            the full event name, prefix included, e.g. {@code foundation.infra.circuit_breaker.state_change}
 * @param kind            one event, or an aggregate of rejections
 * @param count           1 for an event; for an aggregate, the rejections it stands for
 * @param component       the component it concerns (breaker name, protection key, rule, operation...), or null
 * @param entity          the entity it concerns (the rate-limited caller...), or null
 * @param measurements    its measurements (for an aggregate: the first rejection's)
 * @param metadata        its metadata as strings (for an aggregate: the first rejection's)
 */
public record StoredEvent(long timestampMillis, String name, Kind kind, long count, String component, String entity,
                          Map<String, Number> measurements, Map<String, String> metadata) {

    /** Whether a record stands for one event or for a count of rejections. */
    public enum Kind {
        /** One event, kept as emitted. */
        EVENT,
        /** Rejections of one (event, component, reason, entity) within one second, with their count. */
        AGGREGATE
    }

    /**
     * @throws IllegalArgumentException if the name is blank, the count is below 1, or an event's count is not 1
     * @throws NullPointerException     if the name, kind or a map is null, or a map holds a null key or value
     */
    public StoredEvent {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        Objects.requireNonNull(kind, "kind");
        if (count < 1 || (kind == Kind.EVENT && count != 1)) {
            throw new IllegalArgumentException("count must be 1 for an event and >= 1 for an aggregate, was " + count
                    + " for " + kind);
        }
        measurements = normalise(Objects.requireNonNull(measurements, "measurements"));
        metadata = copy(Objects.requireNonNull(metadata, "metadata"));
    }

    /** One event (count 1). */
    public static StoredEvent event(long timestampMillis, String name, String component, String entity,
                                    Map<String, ? extends Number> measurements, Map<String, String> metadata) {
        return new StoredEvent(timestampMillis, name, Kind.EVENT, 1, component, entity,
                Collections.unmodifiableMap(new LinkedHashMap<>(measurements)), metadata);
    }

    /** When it happened. */
    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }

    /** The name as an {@link EventName}. */
    public EventName eventName() {
        return EventName.parse(name);
    }

    /** The name without {@code prefix} (e.g. {@code circuit_breaker.state_change}), or the whole name if it does not start with it. */
    public String suffix(EventName prefix) {
        String p = prefix.toString();
        return name.startsWith(p + ".") ? name.substring(p.length() + 1) : name;
    }

    private static Map<String, Number> normalise(Map<String, ? extends Number> in) {
        if (in.isEmpty()) {
            return Map.of();
        }
        Map<String, Number> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(Objects.requireNonNull(k, "measurement name"),
                normalise(Objects.requireNonNull(v, () -> "measurement '" + k + "'"))));
        return Collections.unmodifiableMap(out);
    }

    /** A number as a Long (integral types) or a Double (anything else). */
    static Number normalise(Number v) {
        if (v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof java.util.concurrent.atomic.AtomicInteger || v instanceof java.util.concurrent.atomic.AtomicLong
                || v instanceof java.util.concurrent.atomic.LongAdder) {
            return v.longValue();
        }
        if (v instanceof java.math.BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        return v instanceof Double ? v : (Number) v.doubleValue();
    }

    private static Map<String, String> copy(Map<String, String> in) {
        if (in.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(Objects.requireNonNull(k, "metadata key"),
                Objects.requireNonNull(v, () -> "metadata '" + k + "'")));
        return Collections.unmodifiableMap(out);
    }
}
