package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Result;
import dev.bulwark.telemetry.Events;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many threads on one breaker: counts are exact afterwards and admission invariants hold. */
class CircuitBreakerConcurrencyTest {

    private static final int THREADS = 8;

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    /** Runs {@code task(thread)} on {@code threads} threads released together; returns their results. */
    private static <T> List<T> together(int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            return release(pool, threads, task);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static <T> List<T> release(ExecutorService pool, int threads, IntFunction<T> task) throws Exception {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                ready.countDown();
                assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
                return task.apply(thread);
            }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void countsAreExactAfterManyThreadsShareOneBreaker() throws Exception {
        fx.events.close(); // a capture would record every call
        CircuitBreaker b = fx.install("shared", config()
                .failureCount(100_000, Duration.ofSeconds(60))
                .failureRate(100, SlidingWindow.ofCalls(1_000), 1_000)
                .slowCallRate(Duration.ofSeconds(1), 100, SlidingWindow.ofDuration(Duration.ofSeconds(60)), 1_000_000)
                .ignoreExceptions(IllegalStateException.class)
                .build());
        int callsPerThread = 10_000;
        together(THREADS, thread -> {
            for (int i = 0; i < callsPerThread; i++) {
                int kind = i % 4;
                b.execute(() -> {
                    if (kind == 1) {
                        throw new IOException("failure");
                    }
                    if (kind == 2) {
                        throw new IllegalStateException("ignored");
                    }
                    return "ok";
                });
            }
            return null;
        });
        int total = THREADS * callsPerThread;
        Stats stats = b.stats();
        assertThat(stats.state()).isEqualTo(State.CLOSED);
        assertThat(stats.okCount()).isEqualTo(total / 2);
        assertThat(stats.meltCount()).isEqualTo(total / 4);
        assertThat(stats.ignoredCount()).isEqualTo(total / 4);
        assertThat(stats.rejectedCount()).isZero();
        CountWindow window = (CountWindow) b.failureRateWindow();
        assertThat(window.calls()).isEqualTo(1_000);
        assertThat(window.failures()).as("the running tally matches what the slots hold")
                .isEqualTo(window.failuresInSlots());
    }

    @Test
    void aHalfOpenBreakerAdmitsExactlyItsTrialCallsUnderContention() throws Exception {
        CircuitBreaker b = fx.install("trial", config().consecutiveFailures(1).halfOpen(Duration.ofSeconds(1), 5, 5).build());
        fail(b);
        fx.advanceSeconds(1);
        List<Integer> admitted = together(THREADS, thread -> {
            int n = 0;
            for (int i = 0; i < 1_000; i++) {
                if (b.tryAcquire()) {
                    n++;
                }
            }
            return n;
        });
        assertThat(admitted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(5);
        assertThat(b.stats().rejectedCount()).isEqualTo(THREADS * 1_000L - 5);
    }

    @Test
    void tenConcurrentFailuresLeaveTheDefaultBreakerOpen() throws Exception {
        CircuitBreaker b = fx.breakers.install("database_service");
        together(10, thread -> fail(b));
        assertThat(b.state()).isEqualTo(State.OPEN);
        Stats stats = b.stats();
        assertThat(stats.meltCount() + stats.rejectedCount()).isEqualTo(10);
        assertThat(stats.meltCount()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void fiftyConcurrentSuccessesLeaveItClosed() throws Exception {
        CircuitBreaker b = fx.breakers.install("database_service");
        List<Result<String>> results = together(50, thread -> b.execute(() -> "ok-" + thread));
        assertThat(results).allSatisfy(r -> assertThat(r.isOk()).isTrue());
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(b.stats().okCount()).isEqualTo(50);
    }

    @Test
    void aConcurrentTripIsOneTransition() throws Exception {
        CircuitBreaker b = fx.install("trip", config().consecutiveFailures(1).build());
        together(THREADS, thread -> {
            for (int i = 0; i < 100; i++) {
                fail(b);
            }
            return null;
        });
        assertThat(fx.events.named(Events.CIRCUIT_BREAKER_STATE_CHANGE)).hasSize(1);
        Stats stats = b.stats();
        assertThat(stats.meltCount() + stats.rejectedCount()).isEqualTo(THREADS * 100L);
    }

    @Test
    void concurrentResetsAndCallsNeverLoseACount() throws Exception {
        fx.events.close();
        CircuitBreaker b = fx.install("reset", config().consecutiveFailures(3)
                .failureRate(50, SlidingWindow.ofCalls(10), 10).build());
        int callsPerThread = 5_000;
        together(THREADS, thread -> {
            for (int i = 0; i < callsPerThread; i++) {
                if (thread == 0 && i % 100 == 0) {
                    b.reset();
                }
                int n = i;
                b.execute(() -> {
                    if (n % 2 == 0) {
                        throw new IOException("failure");
                    }
                    return "ok";
                });
            }
            return null;
        });
        Stats stats = b.stats();
        assertThat(stats.okCount() + stats.meltCount() + stats.rejectedCount())
                .isEqualTo((long) THREADS * callsPerThread);
    }
}
