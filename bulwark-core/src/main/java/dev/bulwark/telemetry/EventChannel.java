package dev.bulwark.telemetry;

import java.util.Map;

/**
 * The emitting side of one event name within one {@link Telemetry}: components look their
 * channels up once and then emit through them without any map lookup.
 *
 * <pre>{@code
 * EventChannel rejected = telemetry.channel(telemetry.name(Events.CIRCUIT_BREAKER_CALL_REJECTED));
 * ...
 * if (rejected.isActive()) {                       // a volatile read: nothing allocated when nobody listens
 *     rejected.emit(Map.of(), Map.of("name", name, "reason", "open"));
 * }
 * }</pre>
 *
 * Thread-safe. The set of handlers is replaced atomically when handlers attach or detach.
 */
public final class EventChannel {

    static final Registration[] NONE = new Registration[0];

    private final Telemetry telemetry;
    private final EventName name;
    private volatile Registration[] handlers = NONE;

    EventChannel(Telemetry telemetry, EventName name) {
        this.telemetry = telemetry;
        this.name = name;
    }

    /** The full event name. */
    public EventName name() {
        return name;
    }

    /** Whether any handler listens: when false, {@link #emit} does nothing, so skip building its maps. */
    public boolean isActive() {
        return handlers.length != 0;
    }

    /**
     * Whether every handler attached now is a {@link PrimitiveEventHandler} and dispatch is
     * synchronous (true when nobody listens): an emitter may then skip computing the measurements
     * after the first, which no handler would see.
     */
    public boolean primitiveOnly() {
        Registration[] current = handlers;
        if (current.length == 0) {
            return true;
        }
        if (telemetry.isAsynchronous()) {
            return false;
        }
        for (Registration r : current) {
            if (!(r.handler instanceof PrimitiveEventHandler)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Emits an event with one measurement, {@code measurement} = {@code value}: a
     * {@link PrimitiveEventHandler} gets the value as it is (synchronous dispatch), the other
     * handlers a one-entry measurements map, built once and only if one of them listens. Never
     * throws because of a handler.
     */
    public void emit(String measurement, long value, Map<String, Object> metadata) {
        Registration[] current = handlers;
        if (current.length != 0) {
            telemetry.dispatch(this, current, measurement, value, null, 0L, metadata);
        }
    }

    /**
     * Emits an event with two measurements; a {@link PrimitiveEventHandler} gets the first. The
     * other handlers get both in a map built once, only if one of them listens.
     */
    public void emit(String first, long firstValue, String second, long secondValue, Map<String, Object> metadata) {
        Registration[] current = handlers;
        if (current.length != 0) {
            telemetry.dispatch(this, current, first, firstValue, second, secondValue, metadata);
        }
    }

    /**
     * Emits the event to every attached handler (synchronously, or queued for the dispatcher).
     * Never throws because of a handler.
     */
    public void emit(Map<String, Number> measurements, Map<String, Object> metadata) {
        Registration[] current = handlers;
        if (current.length != 0) {
            telemetry.dispatch(this, current, measurements, metadata);
        }
    }

    Registration[] handlers() {
        return handlers;
    }

    void handlers(Registration[] handlers) {
        this.handlers = handlers;
    }

    @Override
    public String toString() {
        return "EventChannel[" + name + ", handlers=" + handlers.length + "]";
    }
}
