package dev.bulwark.demo;

import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.TelemetryHandler;
import dev.bulwark.time.ManualClock;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Prints what happens, stamped with the simulation's time, and counts each phenomenon from the
 * telemetry stream: the demo learns about retries, timeouts, fallbacks and breaker transitions
 * the way an application would, by attaching a handler.
 */
final class Timeline implements TelemetryHandler {
    /** The connection pool's saturation over the run. */
    final Saturation saturation = new Saturation();

    /** Phenomena counted in the summary. */
    static final String OPENED = "breaker opened";
    static final String HALF_OPENED = "breaker half-opened";
    static final String CLOSED = "breaker closed";
    static final String RETRIES = "retries scheduled";
    static final String TIMEOUTS = "attempts timed out";
    static final String FALLBACK_LAST_GOOD = "fallbacks: last good value";
    static final String FALLBACK_VALUE = "fallbacks: static value";
    static final String RATE_LIMITED = "requests rate limited (429)";
    static final String BREAKER_REJECTED = "attempts rejected by the open breaker";
    static final String BUDGET_EXHAUSTED = "retry budget refusals";
    static final String READINESS_CHANGES = "readiness changes";

    private static final int DETAILED_RETRIES = 4;

    private final PrintStream out;
    private final ManualClock clock;
    private final Tally tally;
    private final Telemetry telemetry;
    private boolean fellBack;

    Timeline(PrintStream out, ManualClock clock, Tally tally, Telemetry telemetry) {
        this.out = out;
        this.clock = clock;
        this.tally = tally;
        this.telemetry = telemetry;
    }

    void attach() {
        telemetry.attachPrefix("demo-timeline", telemetry.prefix(), this);
    }

    /** Prints one line at the current simulated time. */
    void say(String format, Object... args) {
        long millis = clock.elapsed().toMillis();
        out.printf(Locale.ROOT, "[%3d.%03d s] %s%n", millis / 1000, millis % 1000, String.format(Locale.ROOT, format, args));
    }

    @Override
    public void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
        String name = event.toString();
        if (is(name, Events.CIRCUIT_BREAKER_STATE_CHANGE)) {
            String to = String.valueOf(metadata.get("to"));
            String from = String.valueOf(metadata.get("from"));
            tally.count(to.equals("open") ? OPENED : to.equals("half_open") ? HALF_OPENED : CLOSED);
            say("circuit breaker '%s': %s -> %s%s", metadata.get("name"), from, to, explain(from, to));
        } else if (is(name, Events.CIRCUIT_BREAKER_CALL_REJECTED)) {
            tally.count(BREAKER_REJECTED);
        } else if (is(name, Events.RETRY_SCHEDULED)) {
            tally.count(RETRIES);
            if (tally.phenomenon(RETRIES) <= DETAILED_RETRIES) {
                say("retry: attempt %s of a lookup after error %s, in %.0f ms%s", measurements.get("attempt"),
                        metadata.get("error_code"), measurements.get("delay_ms").doubleValue(),
                        tally.phenomenon(RETRIES) == DETAILED_RETRIES ? "  (further retries are counted, not printed)" : "");
            }
        } else if (is(name, Events.RETRY_BUDGET_EXHAUSTED)) {
            if (tally.phenomenon(BUDGET_EXHAUSTED) == 0) {
                say("retry budget spent: retries stop multiplying the load on the failing dependency");
            }
            tally.count(BUDGET_EXHAUSTED);
        } else if (is(name, Events.TIMEOUT_TIMED_OUT)) {
            if (tally.phenomenon(TIMEOUTS) == 0) {
                say("an attempt ran out of its %.0f ms: timed out (7002), its reply will be ignored",
                        measurements.get("timeout_ms").doubleValue());
            }
            tally.count(TIMEOUTS);
        } else if (is(name, Events.HEALTH_STATUS_CHANGED)) {
            String to = String.valueOf(metadata.get("to"));
            if ("unknown".equals(metadata.get("from"))) {
                say("%s probe: first answer %s (HTTP %d)", metadata.get("group"), to, to.equals("up") ? 200 : 503);
                return;
            }
            if ("readiness".equals(metadata.get("group"))) {
                tally.count(READINESS_CHANGES);
            }
            say("%s probe: %s -> %s because of check '%s'%s", metadata.get("group"), metadata.get("from"), to,
                    metadata.get("check"), to.equals("degraded")
                            ? "  (still HTTP 200: an open breaker fails fast, the fallbacks answer; the instance stays in rotation)"
                            : to.equals("up") ? "  (HTTP 200)" : "  (HTTP 503)");
        } else if (is(name, Events.FALLBACK_USED)) {
            boolean lastGood = "last_good".equals(metadata.get("source"));
            String counter = lastGood ? FALLBACK_LAST_GOOD : FALLBACK_VALUE;
            if (tally.phenomenon(counter) == 0) {
                say(lastGood
                        ? "fallback: answering with the last good value (%.1f s old) instead of error %s"
                        : "fallback: last good value too old; answering the static 'stock unknown' instead of error %2$s",
                        lastGood ? measurements.get("age_ms").doubleValue() / 1000 : 0.0, metadata.get("error_code"));
            }
            tally.count(counter);
            fellBack = true;
        }
    }

    /** Whether a fallback answered since the last time this was asked. */
    boolean takeFallbackFlag() {
        boolean answer = fellBack;
        fellBack = false;
        return answer;
    }

    private static String explain(String from, String to) {
        if (to.equals("open")) {
            return from.equals("half_open") ? "  (the trial calls failed)" : "  (too many failures: calls now fail fast)";
        }
        if (to.equals("half_open")) {
            return "  (letting trial calls through)";
        }
        return "  (the trials succeeded: traffic flows again)";
    }

    private boolean is(String name, EventType type) {
        return name.equals(telemetry.name(type).toString());
    }
}
