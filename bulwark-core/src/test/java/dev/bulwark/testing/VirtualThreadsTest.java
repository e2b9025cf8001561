package dev.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.pipeline.BulkheadConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs only with {@code -Dbulwark.virtualThreads=true} (the {@code virtual-threads} profile, on
 * JDK 21 or later): proves the pipeline's tests really ran on virtual threads, and runs the
 * pipeline with thousands of virtual threads blocked in it at once.
 */
@EnabledIfSystemProperty(named = TestThreads.PROPERTY, matches = "true")
class VirtualThreadsTest {

    @Test
    void theTestExecutorsRunTasksOnVirtualThreads() throws Exception {
        ExecutorService executor = TestThreads.newExecutor();
        try {
            Thread thread = CompletableFuture.supplyAsync(Thread::currentThread, executor).get(10, TimeUnit.SECONDS);
            assertThat(TestThreads.isVirtual(thread)).isTrue();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void thousandsOfVirtualThreadsBlockInTimedCallsAndTheBulkheadStillAdmitsExactlyItsLimit() throws Exception {
        int callers = 2_000;
        int limit = 50;
        ExecutorService executor = TestThreads.newExecutor();
        try (Infrastructure infra = Infrastructure.builder().executor(executor).build()) {
            Protection p = Protection.builder().bulkhead(BulkheadConfig.of(limit).withMaxWait(Duration.ofMinutes(1)))
                    .attemptTimeout(Duration.ofMinutes(1)).build();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            CountDownLatch full = new CountDownLatch(limit);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Result<Integer>>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(CompletableFuture.supplyAsync(() -> infra.executeProtected(p, () -> {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    full.countDown();
                    release.await();
                    inside.decrementAndGet();
                    return 1;
                }), executor));
            }
            assertThat(full.await(30, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            int admitted = 0;
            for (CompletableFuture<Result<Integer>> r : results) {
                admitted += r.get(60, TimeUnit.SECONDS).getOrThrow();
            }
            assertThat(admitted).isEqualTo(callers);
            assertThat(maxInside).hasValue(limit);
        } finally {
            executor.shutdownNow();
        }
    }
}
