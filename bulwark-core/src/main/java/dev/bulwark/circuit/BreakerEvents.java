package dev.bulwark.circuit;

import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The telemetry of one breaker: its channels, looked up once, and the metadata maps of its
 * rejections and outcomes, built once. Emitting costs a volatile read when nobody listens; when
 * someone does, an outcome costs its measurements map only for handlers that are not
 * {@link dev.bulwark.telemetry.PrimitiveEventHandler primitive} (and a merged map when the caller
 * adds metadata).
 */
final class BreakerEvents {

    static final int STATUS_SUCCESS = 0;
    static final int STATUS_FAILED = 1;
    static final int STATUS_EXCEPTION = 2;
    private static final String[] STATUS_LABELS = {"success", "failed", "exception"};
    private static final Rules.Verdict[] VERDICTS = Rules.Verdict.values();
    private static final Map<String, Number> NO_MEASUREMENTS = Map.of();

    private final String name;
    private final EventChannel executed;
    private final EventChannel rejected;
    private final EventChannel stateChange;
    private final Map<String, Object>[] rejectedMetadata;
    private final Map<String, Object>[] executedMetadata;

    BreakerEvents(String name, Telemetry telemetry) {
        this.name = name;
        this.executed = telemetry.channel(telemetry.name(Events.CIRCUIT_BREAKER_CALL_EXECUTED));
        this.rejected = telemetry.channel(telemetry.name(Events.CIRCUIT_BREAKER_CALL_REJECTED));
        this.stateChange = telemetry.channel(telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE));
        RejectionReason[] reasons = RejectionReason.values();
        this.rejectedMetadata = metadataArray(reasons.length);
        for (RejectionReason reason : reasons) {
            rejectedMetadata[reason.ordinal()] = Map.of("name", name, "reason", reason.label());
        }
        this.executedMetadata = metadataArray(STATUS_LABELS.length * VERDICTS.length);
        for (int status = 0; status < STATUS_LABELS.length; status++) {
            for (Rules.Verdict verdict : VERDICTS) {
                executedMetadata[status * VERDICTS.length + verdict.ordinal()] = Map.of("name", name,
                        "status", STATUS_LABELS[status], "counted_as", verdict.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, Object>[] metadataArray(int length) {
        return new Map[length];
    }

    /** Whether a handler listens to {@code call_executed} (then calls are timed). */
    boolean executedWanted() {
        return executed.isActive();
    }

    void executed(int status, Rules.Verdict verdict, long durationNanos, Map<String, ?> callerMetadata) {
        if (!executed.isActive()) {
            return;
        }
        Map<String, Object> metadata = executedMetadata[status * VERDICTS.length + verdict.ordinal()];
        if (callerMetadata != null && !callerMetadata.isEmpty()) {
            Map<String, Object> merged = new HashMap<>(callerMetadata);
            merged.putAll(metadata); // the breaker's own keys win
            metadata = Map.copyOf(merged);
        }
        executed.emit(EventKeys.DURATION_US, durationNanos / 1_000L, metadata);
    }

    void rejected(RejectionReason reason) {
        if (rejected.isActive()) {
            rejected.emit(NO_MEASUREMENTS, rejectedMetadata[reason.ordinal()]);
        }
    }

    /**
     * A transition happened; it is emitted when the state really changed, with the transition's
     * number ({@code sequence}, see {@link Phase#sequence}) so that handlers can order the events
     * of threads that raced.
     */
    void transitioned(Phase from, Phase to) {
        if (from.state != to.state && stateChange.isActive()) {
            stateChange.emit(Map.of(EventKeys.SEQUENCE, to.sequence), Map.of(EventKeys.NAME, name,
                    EventKeys.FROM, from.state.label(), EventKeys.TO, to.state.label(), EventKeys.TRIGGER, to.cause.label));
        }
    }
}
