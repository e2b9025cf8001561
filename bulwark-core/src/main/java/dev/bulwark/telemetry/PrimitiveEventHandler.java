package dev.bulwark.telemetry;

import java.util.Map;

/**
 * A {@link TelemetryHandler} that can take an event's first declared measurement as a {@code long},
 * so that the hot paths which emit per call (a breaker's {@code call_executed}, a protection's
 * {@code protection_executed}, a rate limiter's {@code request_allowed} and {@code request_denied})
 * build no measurements map and box nothing for it. A metrics binder, which needs one number per
 * event, is the intended implementor.
 *
 * <p>An emitter that has its measurement as a primitive calls {@link #handle(EventName, long, Map)}
 * when dispatch is synchronous; otherwise (asynchronous dispatch, or an emitter with maps only) the
 * handler gets {@link #handle(EventName, Map, Map) the maps}, as every handler does. The value is in
 * the unit the event declares for that measurement (for {@code duration_us}: microseconds). While
 * every handler of an event is primitive, an emitter may also skip work that only the other
 * measurements need (the rate limiter then does not compute {@code remaining}). See
 * docs/telemetry.md, "Primitive handlers".
 */
public interface PrimitiveEventHandler extends TelemetryHandler {

    /**
     * Handles one event whose first declared measurement is {@code firstMeasurement}.
     *
     * @param event            the full event name, prefix included
     * @param firstMeasurement the value of the event's first declared measurement, in its unit
     * @param metadata         the metadata, as for {@link TelemetryHandler#handle}; immutable
     */
    void handle(EventName event, long firstMeasurement, Map<String, Object> metadata);
}
