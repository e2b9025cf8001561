package dev.bulwark.eventstore;

import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the recorder treats one event name, worked out once from the event's declaration: whether
 * it is routine (a success counted by meters, not kept), a rejection (aggregated per second), and
 * which metadata keys name its component, its entity and its reason.
 *
 * <p><b>Component</b>: the first present of the declared tags among {@link #COMPONENT_KEYS}. <b>Entity</b>: the
 * first declared detail (unbounded) key among {@link #ENTITY_KEYS}. An undeclared event is
 * looked at key by key at run time, with the same preferences.
 *
 * <p>Immutable.
 */
final class EventShape {

    /** Metadata keys that name the component an event concerns, in order of preference. */
    static final List<String> COMPONENT_KEYS = List.of("name", "key", "rule", "operation", "pool", "backend", "group",
            "check", "handler_id", "store");
    /** Metadata keys that name the entity an event concerns, in order of preference. */
    static final List<String> ENTITY_KEYS = List.of("entity_id", "entity", "caller", "user_id", "tenant");

    /** What to do with one event of this name. */
    enum Treatment { SKIP, KEEP, AGGREGATE }

    private final Treatment base;
    /** When set: the treatment depends on this metadata value. */
    private final String conditionKey;
    private final Set<String> skipValues;
    private final Set<String> aggregateValues;
    final List<String> componentKeys;
    final List<String> entityKeys;
    final String reasonKey;

    private EventShape(Treatment base, String conditionKey, Set<String> skipValues, Set<String> aggregateValues,
                       List<String> componentKeys, List<String> entityKeys, String reasonKey) {
        this.base = base;
        this.conditionKey = conditionKey;
        this.skipValues = skipValues;
        this.aggregateValues = aggregateValues;
        this.componentKeys = componentKeys;
        this.entityKeys = entityKeys;
        this.reasonKey = reasonKey;
    }

    /** The treatment of one emitted event. Called on the emitting thread: no allocation. */
    Treatment treatment(Map<String, Object> metadata) {
        if (conditionKey != null) {
            Object v = metadata.get(conditionKey);
            if (v != null) {
                String s = v.toString();
                if (skipValues.contains(s)) {
                    return Treatment.SKIP;
                }
                if (aggregateValues.contains(s)) {
                    return Treatment.AGGREGATE;
                }
            }
        }
        return base;
    }

    String component(Map<String, Object> metadata) {
        return first(componentKeys, metadata);
    }

    String entity(Map<String, Object> metadata) {
        return first(entityKeys, metadata);
    }

    String reason(Map<String, Object> metadata) {
        Object v = reasonKey == null ? null : metadata.get(reasonKey);
        return v == null ? null : v.toString();
    }

    private static String first(List<String> keys, Map<String, Object> metadata) {
        for (String k : keys) {
            Object v = metadata.get(k);
            if (v != null) {
                return v.toString();
            }
        }
        return null;
    }

    /**
     * The shape of {@code fullName} (whose part after the telemetry prefix is {@code suffix}).
     *
     * @param keepRoutine keep routine successes too
     * @param aggregate   aggregate rejections (else keep them one by one)
     * @param skipped     suffixes never recorded
     */
    static EventShape of(String suffix, Optional<EventType> declaration, boolean keepRoutine, boolean aggregate,
                         Set<String> skipped) {
        List<String> components;
        List<String> entities;
        if (declaration.isPresent()) {
            EventType type = declaration.get();
            List<String> tags = type.tagKeys();
            components = COMPONENT_KEYS.stream().filter(tags::contains).toList();
            entities = ENTITY_KEYS.stream()
                    .filter(k -> type.field(k).map(f -> !f.tag()).orElse(false)).toList();
        } else {
            components = COMPONENT_KEYS;
            entities = ENTITY_KEYS;
        }
        String last = suffix.substring(suffix.lastIndexOf('.') + 1);
        boolean rejection = last.endsWith("_rejected") || last.endsWith("_denied") || last.equals("shed")
                || last.equals("deny_cache_hit") || suffix.equals("retry.budget_exhausted");
        Treatment base = skipped.contains(suffix) ? Treatment.SKIP
                : rejection && aggregate ? Treatment.AGGREGATE : Treatment.KEEP;
        String condition = null;
        Set<String> skip = Set.of();
        Set<String> agg = Set.of();
        String reason = "reason";
        if (base != Treatment.SKIP) {
            switch (suffix) {
                case "circuit_breaker.call_executed" -> {
                    condition = "status";
                    skip = keepRoutine ? Set.of() : Set.of("success");
                }
                case "protection_executed" -> {
                    condition = "outcome";
                    skip = keepRoutine ? Set.of() : Set.of("success");
                    agg = aggregate ? Set.of("rejected") : Set.of();
                    reason = "error_code";
                }
                case "rate_limiter.request_allowed", "pool.checked_out" -> base = keepRoutine ? Treatment.KEEP : Treatment.SKIP;
                default -> {
                    // kept as declared
                }
            }
        }
        return new EventShape(base, condition, skip, agg, components, entities, reason);
    }

    static String suffix(EventName prefix, EventName fullName) {
        String p = prefix.toString();
        String n = fullName.toString();
        return n.startsWith(p + ".") ? n.substring(p.length() + 1) : n;
    }
}
