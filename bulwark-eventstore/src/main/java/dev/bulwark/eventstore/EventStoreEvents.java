package dev.bulwark.eventstore;

import static dev.bulwark.telemetry.Unit.BYTES;
import static dev.bulwark.telemetry.Unit.MILLISECONDS;

import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Unit;
import java.util.List;

/**
 * The events the event store module emits (declared with the infrastructure's telemetry when the
 * module is installed; listed in docs/eventstore.md). They are recorded like any other event.
 */
public final class EventStoreEvents {

    private EventStoreEvents() {
    }

    // metadata keys and measurements of these events
    public static final String STORE = "store";
    public static final String REASON = "reason";
    public static final String ERROR_CODE = "error_code";
    public static final String MESSAGE = "message";
    public static final String SEGMENT = "segment";
    public static final String UNIT = "unit";
    public static final String COUNT = "count";
    public static final String OFFSET = "offset";
    public static final String BYTES_KEY = "bytes";
    public static final String EVENTS = "events";
    public static final String DOWNTIME_MS = "downtime_ms";
    public static final String BUFFERED = "buffered";
    public static final String DROPPED = "dropped";

    private static final String STORE_DOC = "the store: file or postgresql";

    /** Events were dropped since the last report (at most one report a second while drops go on). */
    public static final EventType EVENTS_DROPPED = EventType.builder("event_store", "events_dropped")
            .description("events the recorder could not keep: its queue was full, or its retry buffer while the store was down")
            .measurement(COUNT, Unit.COUNT, "events dropped since the last report")
            .tag(STORE, STORE_DOC)
            .tag(REASON, "queue_full or store_unavailable")
            .tag(ERROR_CODE, "7402")
            .build();
    /** A write failed; the recorder buffers and retries with backoff. Emitted once per outage. */
    public static final EventType STORE_UNAVAILABLE = EventType.builder("event_store", "store_unavailable")
            .description("the store could not be written; events are buffered and the write retried")
            .tag(STORE, STORE_DOC)
            .tag(ERROR_CODE, "the error's code (7401)")
            .detail(MESSAGE, "what failed")
            .build();
    /** Writes succeed again after an outage. */
    public static final EventType STORE_RECOVERED = EventType.builder("event_store", "store_recovered")
            .description("the store is written again after an outage")
            .measurement(DOWNTIME_MS, MILLISECONDS, "how long writes had been failing")
            .measurement(BUFFERED, Unit.COUNT, "events buffered at recovery, written now")
            .measurement(DROPPED, Unit.COUNT, "events dropped during the outage because the buffer was full")
            .tag(STORE, STORE_DOC)
            .build();
    /** A damaged region of a segment was found and skipped. */
    public static final EventType CORRUPTION_DETECTED = EventType.builder("event_store", "corruption_detected")
            .description("a damaged region of a segment file was found (checksum or length); it is skipped")
            .measurement(BYTES_KEY, BYTES, "the length of the damaged region")
            .tag(STORE, STORE_DOC)
            .tag(ERROR_CODE, "7405")
            .detail(SEGMENT, "the segment file")
            .detail(OFFSET, "where the damage starts")
            .build();
    /** Recovery cut an incomplete last record (a write torn by a crash). */
    public static final EventType TAIL_TRUNCATED = EventType.builder("event_store", "tail_truncated")
            .description("recovery cut an incomplete record at the end of the last segment (a write torn by a crash)")
            .measurement(BYTES_KEY, BYTES, "bytes cut")
            .tag(STORE, STORE_DOC)
            .detail(SEGMENT, "the segment file")
            .build();
    /** Retention deleted a whole segment or dropped a partition. */
    public static final EventType RETENTION_DELETED = EventType.builder("event_store", "retention_deleted")
            .description("retention deleted a whole segment file or dropped a partition")
            .measurement(EVENTS, Unit.COUNT, "records it held (-1 if unknown)")
            .measurement(BYTES_KEY, BYTES, "its size (-1 if unknown)")
            .tag(STORE, STORE_DOC)
            .tag(REASON, "age or size")
            .detail(UNIT, "the segment file or the partition")
            .build();

    private static final List<EventType> ALL = List.of(EVENTS_DROPPED, STORE_UNAVAILABLE, STORE_RECOVERED,
            CORRUPTION_DETECTED, TAIL_TRUNCATED, RETENTION_DELETED);

    /** Every event of the module. */
    public static List<EventType> all() {
        return ALL;
    }
}
