package dev.bulwark.eventstore;

import dev.bulwark.telemetry.EventName;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Readable lines for stored events, as the {@link Query} command line prints them:
 *
 * <pre>
 * 2025-01-01T00:00:00.200Z  circuit_breaker.state_change     payments           closed -> open trigger=failure_count
 * 2025-01-01T00:00:00.300Z  circuit_breaker.call_rejected    payments           x25 in that second reason=open
 * 2025-01-01T00:00:09.120Z  rate_limiter.request_denied      inventory.read     entity=mallory x12 in that second ...
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class TimelineFormat {

    private static final Set<String> SHOWN_APART = Set.of("from", "to");
    private static final java.time.format.DateTimeFormatter INSTANT =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private TimelineFormat() {
    }

    /** One line: the instant (UTC) and {@link #describe}. */
    public static String line(StoredEvent e, EventName prefix) {
        return INSTANT.format(Instant.ofEpochMilli(e.timestampMillis())) + "  " + describe(e, prefix);
    }

    /**
     * The line without its instant: the event (prefix left out), the component, the entity, the
     * count of an aggregate, a state change as {@code from -> to}, then the other metadata and the
     * measurements as {@code key=value}.
     */
    public static String describe(StoredEvent e, EventName prefix) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-32s %-18s", e.suffix(prefix), e.component() == null ? "-" : e.component()));
        if (e.entity() != null) {
            sb.append(" entity=").append(e.entity());
        }
        if (e.kind() == StoredEvent.Kind.AGGREGATE) {
            sb.append(" x").append(e.count()).append(" in that second");
        }
        Map<String, String> md = e.metadata();
        if (md.containsKey("from") && md.containsKey("to")) {
            sb.append(' ').append(md.get("from")).append(" -> ").append(md.get("to"));
        }
        for (Map.Entry<String, String> m : md.entrySet()) {
            String k = m.getKey();
            if ((SHOWN_APART.contains(k) && md.containsKey("from") && md.containsKey("to"))
                    || m.getValue().equals(e.component()) || m.getValue().equals(e.entity())) {
                continue;
            }
            String v = m.getValue();
            sb.append(' ').append(k).append('=').append(v.length() > 80 ? v.substring(0, 80) + "…" : v);
        }
        for (Map.Entry<String, Number> m : e.measurements().entrySet()) {
            sb.append(' ').append(m.getKey()).append('=').append(m.getValue());
        }
        return sb.toString().stripTrailing();
    }
}
