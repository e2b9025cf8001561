package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testing.TestThreads;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkheadTest {

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private final PolicyContext context = TestContexts.direct(clock, telemetry);
    private final ExecutorService threads = TestThreads.newExecutor();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void aFullBulkheadRejectsAtOnceWith7001() {
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(2), context);
        assertThat(bulkhead.tryAcquirePermit()).isTrue();
        assertThat(bulkhead.tryAcquirePermit()).isTrue();

        Result<String> r = bulkhead.execute(() -> "never runs");

        InfraError error = r.errValue().orElseThrow();
        assertThat(error.code()).isEqualTo(7001);
        assertThat(error.httpStatus()).isEqualTo(503);
        assertThat(error.isRejection()).isTrue();
        assertThat(error.context()).containsEntry("name", "db").containsEntry("max_concurrent", 2);
        assertThat(bulkhead.stats()).isEqualTo(new BulkheadStats(2, 2, 0, 2, 1));
    }

    @Test
    void aPlaceIsGivenBackHoweverTheCallEnds() {
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(1), context);
        bulkhead.execute(() -> "ok");
        bulkhead.execute(() -> {
            throw new IllegalStateException("bug");
        });
        bulkhead.execute(() -> {
            throw new AssertionError("error");
        });
        assertThat(bulkhead.stats().inFlight()).isZero();
        assertThat(bulkhead.execute(() -> "still admits")).isEqualTo(Result.ok("still admits"));
    }

    @Test
    void aWaitingAsyncCallerGetsThePlaceFreedWithinItsWait() {
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(1).withMaxWait(Duration.ofMillis(100)), context);
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<Result<String>> running = bulkhead.executeAsync(() -> first).toCompletableFuture();
        CompletableFuture<Result<String>> waiting = bulkhead.executeAsync(() -> CompletableFuture.completedFuture("second"))
                .toCompletableFuture();
        assertThat(waiting).isNotDone();
        assertThat(bulkhead.stats().waiting()).isEqualTo(1);

        clock.advance(Duration.ofMillis(99));
        first.complete("first");

        assertThat(running).isCompletedWithValue(Result.ok("first"));
        assertThat(waiting).isCompletedWithValue(Result.ok("second"));
        assertThat(bulkhead.stats()).isEqualTo(new BulkheadStats(1, 0, 0, 2, 0));
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void aWaitingCallerIsRejectedWhenItsWaitIsOver() {
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(1).withMaxWait(Duration.ofMillis(100)), context);
        bulkhead.tryAcquirePermit();
        CompletableFuture<Result<String>> waiting = bulkhead.executeAsync(() -> CompletableFuture.completedFuture("x"))
                .toCompletableFuture();
        clock.advance(Duration.ofMillis(100));
        assertThat(waiting.join().errValue().orElseThrow().code()).isEqualTo(7001);
        assertThat(bulkhead.stats().waiting()).isZero();

        bulkhead.releasePermit();
        assertThat(bulkhead.stats().inFlight()).isZero();
    }

    @Test
    void aBlockedSyncCallerIsAdmittedWhenAPlaceFrees() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(1).withMaxWait(Duration.ofSeconds(1)), context);
        bulkhead.tryAcquirePermit();
        CompletableFuture<Result<String>> caller = CompletableFuture.supplyAsync(() -> bulkhead.execute(() -> "admitted"), threads);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.stats().waiting() == 1);

        bulkhead.releasePermit();

        assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo(Result.ok("admitted"));
    }

    @Test
    void neverAdmitsMoreThanItsLimitUnderManyThreads() throws Exception {
        int limit = 4;
        int callers = 64;
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(limit), context);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        CountDownLatch allArrived = new CountDownLatch(callers);
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Result<Integer>>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(CompletableFuture.supplyAsync(() -> {
                allArrived.countDown();
                return bulkhead.execute(() -> {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    release.await(10, TimeUnit.SECONDS);
                    inside.decrementAndGet();
                    return 1;
                });
            }, threads));
        }
        assertThat(allArrived.await(10, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> bulkhead.stats().rejected() + inside.get() == callers);
        release.countDown();

        long admitted = 0;
        long rejected = 0;
        for (CompletableFuture<Result<Integer>> r : results) {
            Result<Integer> result = r.get(10, TimeUnit.SECONDS);
            if (result.isOk()) {
                admitted++;
            } else {
                assertThat(result.errValue().orElseThrow().code()).isEqualTo(7001);
                rejected++;
            }
        }
        assertThat(maxInside).hasValue(limit);
        assertThat(admitted).isEqualTo(limit);
        assertThat(rejected).isEqualTo(callers - limit);
        assertThat(bulkhead.stats()).isEqualTo(new BulkheadStats(limit, 0, 0, limit, callers - limit));
    }

    @Test
    void withWaitingCallersTheLimitStillHoldsAndEveryCallerIsServed() throws Exception {
        int limit = 3;
        int callers = 48;
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(limit).withMaxWait(Duration.ofDays(1)), context);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<CompletableFuture<Result<Integer>>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(CompletableFuture.supplyAsync(() -> bulkhead.execute(() -> {
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                Thread.onSpinWait();
                inside.decrementAndGet();
                return 1;
            }), threads));
        }
        for (CompletableFuture<Result<Integer>> r : results) {
            assertThat(r.get(20, TimeUnit.SECONDS)).isEqualTo(Result.ok(1));
        }
        assertThat(maxInside.get()).isBetween(1, limit);
        assertThat(bulkhead.stats()).isEqualTo(new BulkheadStats(limit, 0, 0, callers, 0));
    }

    @Test
    void shrinkingKeepsTheCallsInFlightAndAdmitsOnlyBelowTheNewLimit() {
        Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(3), context);
        bulkhead.tryAcquirePermit();
        bulkhead.tryAcquirePermit();
        bulkhead.reconfigure(BulkheadConfig.of(1));
        assertThat(bulkhead.stats().inFlight()).isEqualTo(2);
        assertThat(bulkhead.tryAcquirePermit()).isFalse();
        bulkhead.releasePermit();
        assertThat(bulkhead.tryAcquirePermit()).isFalse();
        bulkhead.releasePermit();
        assertThat(bulkhead.tryAcquirePermit()).isTrue();
    }

    @Test
    void aRejectionIsReported() {
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            Bulkhead bulkhead = Bulkhead.of("db", BulkheadConfig.of(1), context);
            bulkhead.tryAcquirePermit();
            bulkhead.execute(() -> "x");
            assertThat(events.named(Events.BULKHEAD_CALL_REJECTED)).singleElement().satisfies(e -> {
                assertThat(e.measurements()).containsEntry("max_concurrent", 1);
                assertThat(e.metadata()).containsEntry("name", "db").containsEntry("waited", false);
            });
        }
    }

    @Test
    void theConfigRejectsBadValues() {
        assertThatThrownBy(() -> BulkheadConfig.of(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrentCalls must be >= 1, was 0");
        assertThatThrownBy(() -> BulkheadConfig.of(1).withMaxWait(Duration.ofMillis(-2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxWait must be >= 0, was PT-0.002S");
    }
}
