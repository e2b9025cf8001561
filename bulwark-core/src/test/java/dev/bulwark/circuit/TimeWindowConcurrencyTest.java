package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A breaker whose windows are all time windows counts its calls without a breaker-wide sequence
 * (striped, see {@link Counters}): under many threads the counts and the window's content are
 * still exact, and a re-install to a count window starts its positions cleanly.
 */
class TimeWindowConcurrencyTest {

    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 20_000;

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private static void together(Runnable task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
                    task.run();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void countsAndTheTimeWindowAreExactUnderManyThreads() throws Exception {
        fx.events.close();
        CircuitBreaker b = fx.install("time-only", config()
                .failureRate(100, SlidingWindow.ofDuration(Duration.ofSeconds(60)), Integer.MAX_VALUE)
                .build());
        assertThat(new Rules(b.config(), fx.clock).sequencesCalls).isFalse();
        together(() -> {
            for (int i = 0; i < CALLS_PER_THREAD; i++) {
                boolean failing = i % 4 == 1;
                b.execute(() -> {
                    if (failing) {
                        throw new IOException("failure");
                    }
                    return "ok";
                });
            }
        });
        int total = THREADS * CALLS_PER_THREAD;
        Stats stats = b.stats();
        assertThat(stats.okCount()).isEqualTo(total * 3L / 4);
        assertThat(stats.meltCount()).isEqualTo(total / 4);
        CallWindow window = b.failureRateWindow();
        assertThat(window.calls()).isEqualTo(total);
        assertThat(window.failures()).isEqualTo(total / 4);
        assertThat(stats.failureRate()).isEqualTo(25.0);
    }

    @Test
    void aReinstallFromTimeWindowsToACountWindowKeepsCountsAndStartsPositionsAfresh() throws Exception {
        fx.events.close();
        CircuitBreaker b = fx.install("switch", config()
                .failureRate(100, SlidingWindow.ofDuration(Duration.ofSeconds(60)), Integer.MAX_VALUE).build());
        together(() -> {
            for (int i = 0; i < 1_000; i++) {
                b.execute(() -> "ok");
            }
        });
        fx.install("switch", config().failureRate(100, SlidingWindow.ofCalls(100), 100).build());
        together(() -> {
            for (int i = 0; i < 1_000; i++) {
                b.execute(() -> "ok");
            }
        });
        assertThat(b.stats().okCount()).as("counts restart at re-install").isEqualTo(THREADS * 1_000L);
        CountWindow window = (CountWindow) b.failureRateWindow();
        assertThat(window.calls()).isEqualTo(100);
        assertThat(window.failuresInSlots()).isZero();
    }
}
