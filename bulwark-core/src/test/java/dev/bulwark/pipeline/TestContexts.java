package dev.bulwark.pipeline;

import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.ManualClock;
import java.util.concurrent.Executor;

/** Policy contexts on a manual clock for the pipeline's tests. */
final class TestContexts {

    private TestContexts() {
    }

    /** Manual clock as clock and timer, a direct executor: single-threaded and deterministic. */
    static PolicyContext direct(ManualClock clock, Telemetry telemetry) {
        return PolicyContext.builder().clock(clock).executor(Runnable::run).telemetry(telemetry).build();
    }

    /** Manual clock as clock and timer, calls on {@code executor}. */
    static PolicyContext on(ManualClock clock, Telemetry telemetry, Executor executor) {
        return PolicyContext.builder().clock(clock).executor(executor).telemetry(telemetry).build();
    }
}
