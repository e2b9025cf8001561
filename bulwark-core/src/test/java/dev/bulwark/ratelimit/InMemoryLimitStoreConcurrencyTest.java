package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Concurrency of the in-memory store: many threads on one key admit exactly the limit, several rules
 * stay all-or-nothing under contention (and lock in a deadlock-free order whatever the list order),
 * and inserts, resizes, sweeps and resets running together lose no count. Time is a
 * {@link ManualClock}; threads are started together behind a latch and joined with a bound.
 */
class InMemoryLimitStoreConcurrencyTest {

    private static final int THREADS = 8;
    /** Large enough that lost updates, were the per-key lock broken, would show within the run. */
    private static final int LIMIT = 60_000;
    private static final int ATTEMPTS_PER_THREAD = 10_000;
    private final ManualClock clock = new ManualClock();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs the tasks together (released by one latch) and returns their results. */
    private <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        CountDownLatch ready = new CountDownLatch(tasks.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return task.call();
            }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void manyThreadsOnOneKeyAdmitExactlyTheLimit(Algorithm algorithm) throws Exception {
        InMemoryLimitStore store = InMemoryLimitStore.create(clock);
        RateLimit rule = RateLimit.of("hot", LIMIT, Duration.ofHours(1), algorithm);
        List<Callable<Integer>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            boolean primitive = t % 2 == 0;
            threads.add(() -> {
                int admitted = 0;
                for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
                    boolean ok = primitive
                            ? store.tryAcquire("hot-key", "op", rule, 1) == 0
                            : store.acquire("hot-key", "op", List.of(rule), 1).allowed();
                    admitted += ok ? 1 : 0;
                }
                return admitted;
            });
        }
        int total = runTogether(threads).stream().mapToInt(Integer::intValue).sum();

        assertThat(total).isEqualTo(algorithm == Algorithm.LEAKY_BUCKET ? 1 : LIMIT);
        assertThat(store.peek("hot-key", "op", List.of(rule)).remaining()).isZero();
    }

    /**
     * Keys with one hash share their hash bits, segment and probe run, so a thread locks the slots
     * of the others before comparing keys; meanwhile other keys of the same hash are inserted and
     * removed over and over, so slots are freed and reused for a different key with the same hash
     * bits. Every key still admits exactly its limit.
     */
    @Test
    void keysWithOneHashKeepExactCountsWhileTheirSlotsAreReused() throws Exception {
        InMemoryLimitStore store = InMemoryLimitStore.create(clock);
        long perKey = ATTEMPTS_PER_THREAD * 3 / 2; // two threads per key: some of their attempts are denied
        RateLimit rule = RateLimit.of("collide", perKey, Duration.ofHours(1), Algorithm.FIXED_WINDOW);
        List<String> sameHash = CollidingStrings.of(3); // 8 strings, one hashCode
        List<String> stable = sameHash.subList(0, 4);
        List<String> churned = sameHash.subList(4, 6);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String key = stable.get(t % stable.size());
            tasks.add(() -> {
                int admitted = 0;
                for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
                    admitted += store.tryAcquire(key, "op", rule, 1) == 0 ? 1 : 0;
                }
                return admitted;
            });
        }
        for (String key : churned) {
            tasks.add(() -> {
                for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
                    store.tryAcquire(key, "op", rule, 1);
                    store.reset(key, "op");
                }
                return 0;
            });
        }
        List<Integer> admitted = runTogether(tasks);

        for (int k = 0; k < stable.size(); k++) {
            assertThat(admitted.get(k) + admitted.get(k + stable.size())).as(stable.get(k)).isEqualTo(perKey);
            assertThat(store.peek(stable.get(k), "op", List.of(rule)).remaining()).isZero();
        }
    }

    @Test
    void severalRulesStayAllOrNothingUnderContention() throws Exception {
        InMemoryLimitStore store = InMemoryLimitStore.create(clock);
        RateLimit wide = RateLimit.of("wide", LIMIT, Duration.ofHours(1), Algorithm.TOKEN_BUCKET);
        RateLimit narrow = RateLimit.of("narrow", LIMIT / 3, Duration.ofHours(1), Algorithm.GCRA);
        AtomicInteger admittedBoth = new AtomicInteger();
        AtomicInteger admittedWideOnly = new AtomicInteger();
        List<Callable<Void>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int kind = t % 3;
            threads.add(() -> {
                for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
                    if (kind == 0) {
                        admittedWideOnly.addAndGet(store.acquire("k", "op", List.of(wide), 1).allowed() ? 1 : 0);
                    } else {
                        // list order differs between threads; locks are taken in one global order
                        List<RateLimit> rules = kind == 1 ? List.of(wide, narrow) : List.of(narrow, wide);
                        admittedBoth.addAndGet(store.acquire("k", "op", rules, 1).allowed() ? 1 : 0);
                    }
                }
                return null;
            });
        }
        runTogether(threads);

        long wideUsed = LIMIT - store.peek("k", "op", List.of(wide)).remaining();
        long narrowUsed = LIMIT / 3 - store.peek("k", "op", List.of(narrow)).remaining();
        assertThat(narrowUsed).isEqualTo(admittedBoth.get()).isLessThanOrEqualTo(LIMIT / 3);
        assertThat(wideUsed).isEqualTo(admittedBoth.get() + admittedWideOnly.get());
    }

    @Test
    void insertsResizesSweepsAndResetsTogetherLoseNoCount() throws Exception {
        InMemoryLimitStore store = InMemoryLimitStore.create(clock);
        long hour = Duration.ofHours(1).toNanos();
        clock.advanceNanos(hour - Math.floorMod(clock.nanoTime(), hour)); // no window boundary during the test
        RateLimit twicePerHour = RateLimit.of("twice", 2, Duration.ofHours(1), Algorithm.FIXED_WINDOW);
        RateLimit churn = RateLimit.of("churn", 1, Duration.ofNanos(1_000), Algorithm.GCRA);
        int workers = 4;
        int keysPerWorker = 3_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong wrongCounts = new AtomicLong();

        List<Callable<Long>> tasks = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            tasks.add(() -> {
                long wrong = 0;
                for (int pass = 0; pass < 3; pass++) {
                    for (int i = 0; i < keysPerWorker; i++) {
                        boolean admitted = store.tryAcquire("w" + worker + "-" + i, "op", twicePerHour, 1) == 0;
                        wrong += admitted == (pass < 2) ? 0 : 1;
                        store.tryAcquire("churn-" + worker + "-" + (i % 500), "op", churn, 1);
                    }
                }
                return wrong;
            });
        }
        tasks.add(() -> { // time moves in microseconds: churn states expire, the hourly window never ends
            while (!done.get()) {
                clock.advanceNanos(1_000);
                store.sweepExpired();
                Thread.yield();
            }
            return 0L;
        });
        tasks.add(() -> { // resets of keys only this task uses: after a reset the key is fresh
            long wrong = 0;
            for (int i = 0; i < 2_000 && !done.get(); i++) {
                String key = "reset-" + (i % 50);
                store.tryAcquire(key, "op", twicePerHour, 2);
                store.reset(key, "op");
                wrong += store.tryAcquire(key, "op", twicePerHour, 2) == 0 ? 0 : 1;
                store.reset(key, "op");
            }
            return wrong;
        });

        CountDownLatch finished = new CountDownLatch(1);
        pool.submit(() -> {
            try {
                List<Long> results = runTogetherWithStop(tasks, workers, done);
                wrongCounts.set(results.stream().mapToLong(Long::longValue).sum());
            } catch (Exception e) {
                wrongCounts.set(-1);
            } finally {
                finished.countDown();
            }
        });
        assertThat(finished.await(120, TimeUnit.SECONDS)).isTrue();
        assertThat(wrongCounts.get()).isZero();

        clock.advance(Duration.ofHours(2));
        store.sweepExpired();
        assertThat(store.keyCount()).isZero();
    }

    /** Like {@link #runTogether} but sets {@code done} once the first {@code workers} tasks have finished. */
    private List<Long> runTogetherWithStop(List<Callable<Long>> tasks, int workers, AtomicBoolean done) throws Exception {
        ExecutorService own = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> futures = new ArrayList<>();
            for (Callable<Long> task : tasks) {
                futures.add(own.submit(() -> {
                    go.await();
                    return task.call();
                }));
            }
            go.countDown();
            List<Long> results = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                results.add(futures.get(i).get(60, TimeUnit.SECONDS));
            }
            done.set(true);
            for (int i = workers; i < futures.size(); i++) {
                results.add(futures.get(i).get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            own.shutdownNow();
        }
    }
}
