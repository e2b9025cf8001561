package dev.bulwark.testkit;

import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records events for tests: attach to a {@link Telemetry}, run the code, then assert on what
 * was emitted. Closing it detaches it.
 *
 * <pre>{@code
 * try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
 *     breaker.execute(() -> { throw new IOException(); });
 *     assertThat(events.named(Events.CIRCUIT_BREAKER_CALL_EXECUTED)).hasSize(1);
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class TelemetryCapture implements AutoCloseable {

    /** One recorded event. */
    public record Captured(EventName name, Map<String, Number> measurements, Map<String, Object> metadata) {
    }

    private final Telemetry telemetry;
    private final String handlerId = "telemetry-capture-" + UUID.randomUUID();
    private final List<Captured> events = new CopyOnWriteArrayList<>();

    private TelemetryCapture(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    /** Captures every event under the telemetry's prefix. */
    public static TelemetryCapture all(Telemetry telemetry) {
        return under(telemetry, telemetry.prefix());
    }

    /** Captures every event whose full name starts with {@code namePrefix}. */
    public static TelemetryCapture under(Telemetry telemetry, EventName namePrefix) {
        TelemetryCapture capture = new TelemetryCapture(telemetry);
        telemetry.attachPrefix(capture.handlerId, namePrefix,
                (name, m, md) -> capture.events.add(new Captured(name, m, md)));
        return capture;
    }

    /** All events recorded so far, in order. */
    public List<Captured> events() {
        return List.copyOf(events);
    }

    /** Events whose name is the telemetry's prefix followed by {@code suffix} (a catalogue entry of {@link Events}). */
    public List<Captured> named(EventName suffix) {
        EventName full = telemetry.name(suffix);
        List<Captured> out = new ArrayList<>();
        for (Captured c : events) {
            if (c.name().equals(full)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Events of the declared type {@code type}. */
    public List<Captured> named(EventType type) {
        return named(type.suffix());
    }

    /** How many events of the declared type {@code type} were recorded. */
    public int count(EventType type) {
        return count(type.suffix());
    }

    /** How many events named by {@code suffix} were recorded. */
    public int count(EventName suffix) {
        return named(suffix).size();
    }

    /**
     * What the recorded events say that their declarations do not ({@link EventType#mismatches}):
     * an event nobody declared with {@link Telemetry#declare}, a measurement or metadata key the
     * declaration lacks. Empty when every event matched.
     */
    public List<String> undeclared() {
        List<String> problems = new ArrayList<>();
        for (Captured c : events) {
            telemetry.declaration(c.name()).ifPresentOrElse(
                    type -> problems.addAll(type.mismatches(c.measurements(), c.metadata())),
                    () -> problems.add(c.name() + ": not declared"));
        }
        return problems;
    }

    /** Forgets what was recorded. */
    public void clear() {
        events.clear();
    }

    /** Detaches the capture. */
    @Override
    public void close() {
        telemetry.detach(handlerId);
    }
}
