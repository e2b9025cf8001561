package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testing.TestThreads;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    private static final Duration LIMIT = Duration.ofMillis(500);

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private final ExecutorService pool = TestThreads.newExecutor();
    private final Timeout timeout = Timeout.of("slow-service", TimeoutConfig.of(LIMIT), TestContexts.on(clock, telemetry, pool));

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    @Test
    void aCallThatEndsInTimeKeepsItsResult() {
        Result<String> r = timeout.execute(() -> {
            clock.advance(Duration.ofMillis(499));
            return "fast enough";
        });
        assertThat(r).isEqualTo(Result.ok("fast enough"));
        assertThat(timeout.stats()).isEqualTo(new TimeoutStats(1, 0));
    }

    @Test
    void aCallStillRunningAtTheDeadlineIsTimedOutAndInterrupted() {
        AtomicBoolean interrupted = new AtomicBoolean();
        Result<String> r = timeout.execute(() -> {
            clock.advance(Duration.ofSeconds(3));    // the dependency takes 3 s of the test's time
            interrupted.set(Thread.currentThread().isInterrupted());
            return "too late";
        });
        InfraError error = r.errValue().orElseThrow();
        assertThat(error.errorCode()).isEqualTo(CoreErrorCode.OPERATION_TIMED_OUT);
        assertThat(error.code()).isEqualTo(7002);
        assertThat(error.httpStatus()).isEqualTo(504);
        assertThat(error.toException().getStackTrace()).isEmpty();
        assertThat(error.context()).containsEntry("name", "slow-service").containsEntry("timeout_ms", 500L);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
    }

    @Test
    void aCallThatIgnoresInterruptsIsAbandonedAndTheCallerGetsItsTimeoutOnTime() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicReference<Duration> returnedAt = new AtomicReference<>();
        ExecutorService callers = TestThreads.newExecutor();
        try {
            CompletableFuture<Result<String>> caller = CompletableFuture.supplyAsync(() -> timeout.execute(() -> {
                started.countDown();
                while (true) {                      // ignores interrupts: only the latch ends it
                    try {
                        if (release.await(10, TimeUnit.SECONDS)) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        sawInterrupt.set(true);
                    }
                }
                return "runaway";
            }), callers).whenComplete((r, t) -> returnedAt.set(clock.elapsed()));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            clock.advance(Duration.ofMillis(499));
            assertThat(caller).isNotDone();
            clock.advance(Duration.ofMillis(1));

            Result<String> r = caller.get(10, TimeUnit.SECONDS);
            assertThat(r.errValue().orElseThrow().code()).isEqualTo(7002);
            assertThat(returnedAt.get()).isEqualTo(LIMIT);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilTrue(sawInterrupt);
            assertThat(release.getCount()).isEqualTo(1);   // the call is still running, abandoned
        } finally {
            release.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void withoutInterruptionTheCallIsNotInterruptedButTheCallerStillTimesOut() {
        Timeout polite = Timeout.of("polite", TimeoutConfig.of(LIMIT).withInterruptOnTimeout(false),
                TestContexts.on(clock, telemetry, pool));
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch checked = new CountDownLatch(1);
        Result<String> r = polite.execute(() -> {
            clock.advance(Duration.ofSeconds(1));
            interrupted.set(Thread.currentThread().isInterrupted());
            checked.countDown();
            return "late";
        });
        assertThat(r.errValue().orElseThrow().code()).isEqualTo(7002);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> checked.getCount() == 0);
        assertThat(interrupted).isFalse();
    }

    @Test
    void theThreadOfAnInterruptedCallIsLeftClean() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        timeout.execute(() -> {
            worker.set(Thread.currentThread());
            try {
                clock.advance(Duration.ofSeconds(1));
                return "late";
            } finally {
                finished.countDown();
            }
        });
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> nextTaskSeesInterrupt = new CompletableFuture<>();
        // Run a later task: it must not inherit the interrupt meant for the timed-out call.
        Timeout.of("next", TimeoutConfig.of(Duration.ofDays(1)), TestContexts.on(clock, telemetry, pool))
                .execute(() -> nextTaskSeesInterrupt.complete(Thread.currentThread().isInterrupted()));
        assertThat(nextTaskSeesInterrupt.get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void aFailingCallKeepsItsOwnError() {
        Result<String> r = timeout.execute(() -> {
            throw new java.io.IOException("refused");
        });
        assertThat(r.errValue().orElseThrow().code()).isEqualTo(5003);
    }

    @Test
    void asyncTimeoutCompletesOnTimeAndCancelsTheCallsFuture() {
        Timeout async = Timeout.of("async", TimeoutConfig.of(LIMIT), TestContexts.direct(clock, telemetry));
        CompletableFuture<String> call = new CompletableFuture<>();

        CompletableFuture<Result<String>> r = async.executeAsync(() -> call).toCompletableFuture();
        clock.advance(Duration.ofMillis(499));
        assertThat(r).isNotDone();
        clock.advance(Duration.ofMillis(1));

        assertThat(r.join().errValue().orElseThrow().code()).isEqualTo(7002);
        assertThat(call).isCancelled();
    }

    @Test
    void asyncCallThatEndsInTimeKeepsItsResultAndLeavesNoTimerBehind() {
        Timeout async = Timeout.of("async", TimeoutConfig.of(LIMIT), TestContexts.direct(clock, telemetry));
        CompletableFuture<String> call = new CompletableFuture<>();
        CompletableFuture<Result<String>> r = async.executeAsync(() -> call).toCompletableFuture();
        clock.advance(Duration.ofMillis(100));
        call.complete("done");
        assertThat(r).isCompletedWithValue(Result.ok("done"));
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void cancellingTheAsyncResultCancelsTheCallAndItsDeadline() {
        Timeout async = Timeout.of("async", TimeoutConfig.of(LIMIT), TestContexts.direct(clock, telemetry));
        CompletableFuture<String> call = new CompletableFuture<>();
        CompletableFuture<Result<String>> r = async.executeAsync(() -> call).toCompletableFuture();
        r.cancel(false);
        assertThat(call).isCancelled();
        assertThat(clock.pendingTasks()).isZero();
        clock.advance(LIMIT);
        assertThat(async.stats().timedOut()).isZero();
    }

    @Test
    void aTimeoutIsReported() {
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            timeout.execute(() -> clock.advance(Duration.ofSeconds(1)));
            assertThat(events.named(Events.TIMEOUT_TIMED_OUT)).singleElement().satisfies(e -> {
                assertThat(e.measurements()).containsEntry("timeout_ms", 500.0);
                assertThat(e.metadata()).containsEntry("name", "slow-service");
            });
        }
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThatThrownBy(() -> TimeoutConfig.of(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    }
}
