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
