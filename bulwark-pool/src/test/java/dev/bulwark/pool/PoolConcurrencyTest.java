package dev.bulwark.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.testkit.TelemetryCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 64 threads on a pool of 8, a bounded number of cycles each, on the real clock and timer. Checked
 * exactly: a resource is never held by two callers at once (a per-resource in-use flag), never
 * more than 8 are held, every checkout ends with a resource or 7101 within its timeout plus
 * {@link #BOUND_MS}, and none is lost (created - destroyed = idle + active, and the factory agrees).
 * With chaos on, callers also time out at random (timeouts from 0 to 3 ms), are interrupted at
 * random by another thread, and destroy resources (invalidate, or work that throws a poisoning
 * exception), so places are handed over while their waiters give up.
 */
class PoolConcurrencyTest {

    private static final int THREADS = 64;
    private static final int SIZE = 8;
    private static final int CYCLES = 150;
    /**
     * How late a refused checkout may come back after its timeout: the system timer's thread has to
     * run the deadline and the waiter's thread to be scheduled again, on a shared two-core machine.
     */
    private static final long BOUND_MS = 1_000;

    @ParameterizedTest(name = "chaos={0}")
    @ValueSource(booleans = {false, true})
    void everyCallerGetsAResourceOrA7101InTimeAndNoResourceIsSharedOrLost(boolean chaos) throws Exception {
        TestResources factory = new TestResources();
        PoolConfig config = PoolConfig.builder().maxSize(SIZE).maxWaiters(40).poisonedBy(IOException.class)
                .checkoutTimeout(Duration.ofMillis(5)).build();
        try (Infrastructure infra = Infrastructure.builder()
                .install(Pools.builder().pool("shared", factory, config).asModule()).build();
             TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            Pool<TestResources.Resource> pool = infra.component(Pools.class).orElseThrow().pool("shared");
            LongAdder granted = new LongAdder();
            Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
            List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger holding = new AtomicInteger();
            AtomicInteger mostHeld = new AtomicInteger();
            AtomicLong worstLateMs = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Thread worker = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    boolean started = false;
                    while (!started) {
                        try {
                            started = go.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException chaosCameEarly) {
                            // start anyway: only the cycles count
                        }
                    }
                    for (int cycle = 0; cycle < CYCLES; cycle++) {
                        long timeoutMs = chaos ? random.nextInt(4) : 20;
                        long start = System.nanoTime();
                        boolean viaWork = chaos && random.nextInt(10) == 0;
                        Result<?> outcome;
                        if (viaWork) {
                            boolean poison = random.nextBoolean();
                            outcome = pool.withResource(r -> {
                                hold(r, holding, mostHeld, violations, random);
                                if (poison) {
                                    throw new IOException("broken");
                                }
                                return r;
                            });
                        } else {
                            Result<Lease<TestResources.Resource>> lease = pool.checkout(Duration.ofMillis(timeoutMs));
                            outcome = lease;
                            if (lease.isOk()) {
                                Lease<TestResources.Resource> l = lease.getOrThrow();
                                hold(l.resource(), holding, mostHeld, violations, random);
                                if (chaos && random.nextInt(20) == 0) {
                                    l.invalidate();
                                } else {
                                    l.checkin();
                                }
                            }
                        }
                        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                        Thread.interrupted(); // an interrupt aimed at this cycle ends with it
                        if (outcome.isOk()) {
                            granted.increment();
                            continue;
                        }
                        InfraError error = outcome.errValue().orElseThrow();
                        if (error.errorCode() == PoolErrorCode.POOLED_OPERATION_FAILED) {
                            granted.increment(); // the work ran with a resource and threw on purpose
                            continue;
                        }
                        if (error.errorCode() != PoolErrorCode.POOL_EXHAUSTED) {
                            violations.add("unexpected " + error);
                            continue;
                        }
                        refusals.computeIfAbsent((String) error.context().get("reason"), k -> new LongAdder()).increment();
                        long late = elapsedMs - (viaWork ? 5 : timeoutMs);
                        worstLateMs.accumulateAndGet(late, Math::max);
                    }
                }, "pool-worker-" + t);
                workers.add(worker);
                worker.start();
            }
            Thread chaosMonkey = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!Thread.currentThread().isInterrupted()) {
                    workers.get(random.nextInt(THREADS)).interrupt();
                    Thread.yield();
                }
            });
            go.countDown();
            if (chaos) {
                chaosMonkey.start();
            }
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(worker.isAlive()).as("%s finished", worker.getName()).isFalse();
            }
            chaosMonkey.interrupt();
            chaosMonkey.join(5_000);

            assertThat(violations).isEmpty();
            assertThat(mostHeld.get()).isLessThanOrEqualTo(SIZE);
            long refused = refusals.values().stream().mapToLong(LongAdder::sum).sum();
            assertThat(granted.sum() + refused).isEqualTo((long) THREADS * CYCLES);
            assertThat(worstLateMs.get()).as("refusals within timeout + %d ms", BOUND_MS).isLessThanOrEqualTo(BOUND_MS);
            if (chaos) {
                assertThat(refusals).containsKeys("timeout", "interrupted");
            }

            PoolStatus status = pool.status();
            assertThat(status.active()).isZero();
            assertThat(status.waiters()).isZero();
            assertThat(status.created() - status.destroyed()).as("none lost").isEqualTo(status.idle() + status.active());
            assertThat(status.created()).isEqualTo(factory.made.size());
            assertThat(status.destroyed()).isEqualTo(factory.destructions.get());
            assertThat(status.idle()).isLessThanOrEqualTo(SIZE);
            assertThat(pool.checkout(Duration.ZERO).isOk()).as("the pool still serves").isTrue();
            assertThat(events.undeclared()).isEmpty();
        }
    }

    private static void hold(TestResources.Resource resource, AtomicInteger holding, AtomicInteger mostHeld,
                             List<String> violations, ThreadLocalRandom random) {
        if (!resource.inUse.compareAndSet(false, true)) {
            violations.add(resource + " handed to two callers at once");
            return;
        }
        if (resource.destroyed) {
            violations.add(resource + " handed out after it was destroyed");
        }
        mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
        for (int i = random.nextInt(50); i > 0; i--) {
            Thread.yield(); // some work while holding it
        }
        holding.decrementAndGet();
        resource.inUse.set(false);
    }
}
