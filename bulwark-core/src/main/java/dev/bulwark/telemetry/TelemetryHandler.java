package dev.bulwark.telemetry;

import java.util.Map;

/**
 * Receives telemetry events. A handler runs on the emitting thread (synchronous dispatch) or on
 * the dispatcher thread (asynchronous dispatch); it must be thread-safe and should be quick.
 *
 * <p>A handler that throws is detached and a {@code telemetry.handler.failure} event is emitted;
 * the code that emitted the event is never affected.
 */
@FunctionalInterface
public interface TelemetryHandler {

    /**
     * Handles one event.
     *
     * @param event        the full event name, prefix included
     * @param measurements numeric measurements (e.g. {@code duration_us}); immutable
     * @param metadata     free-form metadata (e.g. {@code name}); immutable
     */
    void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata);
}
