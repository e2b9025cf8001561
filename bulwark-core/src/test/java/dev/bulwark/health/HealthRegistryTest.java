package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's rules, on a manual clock: aggregation, caching per TTL, timeouts, failures,
 * registration. Checks run on a direct executor unless the test needs a check to hang.
 */
class HealthRegistryTest {

    private static final HealthGroup GROUP = HealthGroup.of("test");

    private final ManualClock clock = new ManualClock();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Infrastructure> built = new ArrayList<>();

    @AfterEach
    void tearDown() {
        built.forEach(Infrastructure::close);
        pool.shutdownNow();
    }

    private HealthRegistry direct() {
        Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run).build();
        built.add(infra);
        return infra.health();
    }

    private HealthRegistry threaded() {
        Infrastructure infra = Infrastructure.builder().clock(clock).executor(pool).build();
        built.add(infra);
        return infra.health();
    }

    // ------------------------------------------------------------------ aggregation

    @Test
    void aReportIsTheWorstOfItsChecks() {
        HealthRegistry health = direct();
        AtomicReference<Health> a = new AtomicReference<>(Health.up());
        AtomicReference<Health> b = new AtomicReference<>(Health.up());
        health.register("a", a::get, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofMillis(1)), GROUP);
        health.register("b", b::get, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofMillis(1)), GROUP);
        assertThat(reportAfterTtl(health).status()).isEqualTo(HealthStatus.UP);

        a.set(Health.degraded("slow"));
        assertThat(reportAfterTtl(health).status()).isEqualTo(HealthStatus.DEGRADED);
        b.set(Health.down("gone"));
        HealthReport report = reportAfterTtl(health);
        assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(report.httpStatus()).isEqualTo(503);
        assertThat(report.checks()).containsOnlyKeys("a", "b");
        assertThat(report.checks().get("b").details()).containsEntry(Health.REASON, "gone");

        b.set(Health.up());
        report = reportAfterTtl(health);
        assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(report.httpStatus()).as("degraded still serves").isEqualTo(200);
    }

    private HealthReport reportAfterTtl(HealthRegistry health) {
        clock.advance(Duration.ofMillis(1));
        health.report(GROUP);             // starts the runs (direct executor: they finish at once)
        return health.report(GROUP);
    }

    @Test
    void anEmptyGroupIsUp() {
        HealthReport report = direct().report(HealthGroup.of("nothing_here"));
        assertThat(report.status()).isEqualTo(HealthStatus.UP);
        assertThat(report.httpStatus()).isEqualTo(200);
        assertThat(report.checks()).isEmpty();
    }

    @Test
    void statusOrderAndHttpStatuses() {
        assertThat(HealthStatus.UP.worst(HealthStatus.DEGRADED)).isEqualTo(HealthStatus.DEGRADED);
        assertThat(HealthStatus.DEGRADED.worst(HealthStatus.UNKNOWN)).isEqualTo(HealthStatus.UNKNOWN);
        assertThat(HealthStatus.DOWN.worst(HealthStatus.UNKNOWN)).isEqualTo(HealthStatus.DOWN);
        assertThat(HealthStatus.UP.httpStatus()).isEqualTo(200);
        assertThat(HealthStatus.DEGRADED.httpStatus()).isEqualTo(200);
        assertThat(HealthStatus.UNKNOWN.httpStatus()).isEqualTo(503);
        assertThat(HealthStatus.DOWN.httpStatus()).isEqualTo(503);
        assertThatThrownBy(() -> Health.of(HealthStatus.UNKNOWN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UNKNOWN");
    }

    @Test
    void aCheckIsUnknownOnlyUntilItsFirstRunFinishes() throws Exception {
        HealthRegistry health = threaded();
        CountDownLatch release = new CountDownLatch(1);
        health.register("slow_start", () -> {
            release.await();
            return Health.up();
        }, HealthCheckConfig.of(Duration.ofSeconds(5), Duration.ofSeconds(1)), GROUP);

        HealthReport first = health.report(GROUP);
        assertThat(first.status()).isEqualTo(HealthStatus.UNKNOWN);
        assertThat(first.httpStatus()).isEqualTo(503);
        assertThat(first.checks().get("slow_start").cachedAt()).isNull();

        release.countDown();
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> health.report(GROUP).status() == HealthStatus.UP);
        assertThat(health.report(GROUP).checks().get("slow_start").cachedAt()).isEqualTo(clock.instant());
    }

    // ------------------------------------------------------------------ caching

    @Test
    void aCheckRunsOncePerTtlWhateverTheProbeRate() {
        HealthRegistry health = direct();
        AtomicInteger calls = new AtomicInteger();
        health.register("counted", () -> {
            calls.incrementAndGet();
            return Health.up();
        }, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), GROUP);
        assertThat(calls).as("the first run starts at registration").hasValue(1);

        for (int tick = 0; tick <= 30; tick++) {      // 1000 probes every 100 ms, from 0 to 3 s
            for (int probe = 0; probe < 1_000; probe++) {
                health.report(GROUP);
            }
            if (tick == 19) {
                assertThat(calls).as("20 000 probes in the first 1.9 s").hasValue(1);
            }
            clock.advance(Duration.ofMillis(100));
        }
        assertThat(calls).as("the registration run, and one at 2 s").hasValue(2);

        clock.advance(Duration.ofSeconds(10));
        for (int probe = 0; probe < 1_000; probe++) {
            health.report(GROUP);
        }
        assertThat(calls).as("a long silence costs one run, not one per missed TTL").hasValue(3);
    }

    @Test
    void aProbeStormFromManyThreadsStartsOneRunPerTtl() throws Exception {
        HealthRegistry health = threaded();
        AtomicInteger calls = new AtomicInteger();
        health.register("counted", () -> {
            calls.incrementAndGet();
            return Health.up();
        }, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), GROUP);
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> health.report(GROUP).status() == HealthStatus.UP);
        clock.advance(Duration.ofSeconds(2));   // the result is now stale: the storm must start one run

        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> probers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread prober = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    health.report(GROUP);
                }
            });
            prober.start();
            probers.add(prober);
        }
        start.countDown();
        for (Thread prober : probers) {
            prober.join(TimeUnit.SECONDS.toMillis(20));
        }
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> calls.get() >= 2);
        assertThat(calls).as("40 000 reports, one stale result: one run").hasValue(2);
    }

    @Test
    void aStaleResultIsShownWhileItsRefreshRuns() throws Exception {
        HealthRegistry health = threaded();
        AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
        AtomicReference<Health> answer = new AtomicReference<>(Health.up());
        health.register("refreshing", () -> {
            gate.get().await();
            return answer.get();
        }, HealthCheckConfig.of(Duration.ofSeconds(10), Duration.ofSeconds(2)), GROUP);
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> health.report(GROUP).status() == HealthStatus.UP);

        CountDownLatch held = new CountDownLatch(1);
        gate.set(held);
        answer.set(Health.down("broken"));
        clock.advance(Duration.ofSeconds(3));
        assertThat(health.report(GROUP).status()).as("the old result while the new run is held").isEqualTo(HealthStatus.UP);
        held.countDown();
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> health.report(GROUP).status() == HealthStatus.DOWN);
    }

    // ------------------------------------------------------------------ timeouts and failures

    @Test
    void aHangingCheckIsDownOnceItsTimeoutHasPassedAndNeverBlocksTheProbe() throws Exception {
        HealthRegistry health = threaded();
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        health.register("hangs", () -> {
            calls.incrementAndGet();
            entered.countDown();
            try {
                new CountDownLatch(1).await();   // forever
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return Health.up();
        }, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), GROUP);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        long begin = System.nanoTime();
        HealthReport during = health.report(GROUP);
        assertThat(during.status()).isEqualTo(HealthStatus.UNKNOWN);
        clock.advance(Duration.ofMillis(999));
        assertThat(health.report(GROUP).status()).as("within its timeout").isEqualTo(HealthStatus.UNKNOWN);
        clock.advance(Duration.ofMillis(1));
        HealthReport after = health.report(GROUP);
        long probeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertThat(after.status()).isEqualTo(HealthStatus.DOWN);
        HealthReport.Check hangs = after.checks().get("hangs");
        assertThat(hangs.details()).containsEntry(Health.ERROR, "timed out after 1000 ms");
        assertThat(hangs.duration()).isEqualTo(Duration.ofSeconds(1));
        assertThat(probeMillis).as("three probes of a hanging check, in real time").isLessThan(1_000);
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).untilTrue(interrupted);

        // the run returned (interrupted): after the TTL the check runs again, and hangs again
        clock.advance(Duration.ofSeconds(2));
        health.report(GROUP);
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> calls.get() == 2);
    }

    @Test
    void aCheckThatNeverReturnsHoldsOneThreadAndStaysDown() throws Exception {
        HealthRegistry health = threaded();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finallyRelease = new CountDownLatch(1);
        health.register("deaf", () -> {
            calls.incrementAndGet();
            entered.countDown();
            while (true) {   // ignores interrupts
                try {
                    if (finallyRelease.await(10, TimeUnit.MILLISECONDS)) {
                        return Health.up();
                    }
                } catch (InterruptedException ignored) {
                    // deaf
                }
            }
        }, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), GROUP);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(3));
            assertThat(health.report(GROUP).status()).isEqualTo(HealthStatus.DOWN);
        }
        assertThat(calls).as("no second run while the first has not returned").hasValue(1);
        finallyRelease.countDown();
    }

    @Test
    void aCheckThatThrowsIsDownWithTheExceptionsMessage() {
        HealthRegistry health = direct();
        health.register("throws", () -> {
            throw new java.io.IOException("connection refused: orders-db:5432");
        }, GROUP);
        HealthReport.Check check = health.report(GROUP).checks().get("throws");
        assertThat(check.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(check.details()).containsEntry(Health.ERROR, "connection refused: orders-db:5432")
                .containsEntry(Health.EXCEPTION, "java.io.IOException");
    }

    @Test
    void aCheckThatReturnsNullIsDown() {
        HealthRegistry health = direct();
        health.register("null", () -> null, GROUP);
        assertThat(health.report(GROUP).checks().get("null").status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void durationAndCachedAtComeFromTheClock() {
        HealthRegistry health = direct();
        health.register("takes_300_ms", () -> {
            clock.advance(Duration.ofMillis(300));
            return Health.up();
        }, GROUP);
        HealthReport.Check check = health.report(GROUP).checks().get("takes_300_ms");
        assertThat(check.duration()).isEqualTo(Duration.ofMillis(300));
        assertThat(check.cachedAt()).isEqualTo(ManualClock.DEFAULT_START.plusMillis(300));
    }

    // ------------------------------------------------------------------ registration

    @Test
    void noCheckMayJoinLiveness() {
        HealthRegistry health = direct();
        assertThatThrownBy(() -> health.register("orders_db", Health::up, HealthGroup.LIVENESS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot join liveness").hasMessageContaining("orders_db");
        assertThatThrownBy(() -> health.register("orders_db", Health::up, HealthGroup.READINESS, HealthGroup.of("liveness")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(health.names()).doesNotContain("orders_db");
    }

    @Test
    void aCheckWithoutGroupJoinsReadiness() {
        HealthRegistry health = direct();
        health.register("cache", Health::up);
        assertThat(health.readiness().checks()).containsKey("cache");
        assertThat(health.liveness().checks()).doesNotContainKey("cache");
    }

    @Test
    void namesAreUniqueAndValidated() {
        HealthRegistry health = direct();
        health.register("cache", Health::up);
        assertThatThrownBy(() -> health.register("cache", Health::up)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cache'");
        assertThatThrownBy(() -> health.register(" ", Health::up)).hasMessageContaining("' '");
        assertThatThrownBy(() -> health.register(null, Health::up)).hasMessageContaining("null");
        assertThatThrownBy(() -> health.register("a\nb", Health::up)).hasMessageContaining("control");
        assertThatThrownBy(() -> health.register("x", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("check");
        assertThatThrownBy(() -> HealthGroup.of("Not Snake")).hasMessageContaining("'Not Snake'");
        assertThatThrownBy(() -> HealthCheckConfig.of(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("timeout").hasMessageContaining("PT0S");
    }

    @Test
    void removingACheckOrClosingItsSubscription() {
        HealthRegistry health = direct();
        var subscription = health.register("first", Health::up, GROUP);
        health.register("second", Health::up, GROUP);
        assertThat(health.remove("second")).isTrue();
        assertThat(health.remove("second")).isFalse();
        subscription.close();
        subscription.close();
        assertThat(health.report(GROUP).checks()).isEmpty();
        assertThatThrownBy(() -> health.remove("deadlocks")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("core");
    }

    @Test
    void listenersFollowChecksAsTheyComeAndGo() {
        HealthRegistry health = direct();
        health.register("before", Health::up, GROUP);
        List<String> seen = new ArrayList<>();
        health.subscribe(new dev.bulwark.spi.RegistryListener<RegisteredCheck>() {
            @Override
            public void added(String name, RegisteredCheck check) {
                seen.add("+" + name + (check.core() ? " core" : "") + " " + check.groups());
            }

            @Override
            public void removed(String name, RegisteredCheck check) {
                seen.add("-" + name);
            }
        });
        health.register("after", Health::up, GROUP);
        health.remove("before");
        assertThat(seen).contains("+before [test]", "+deadlocks core [liveness]", "+after [test]", "-before");
    }

    // ------------------------------------------------------------------ heartbeats

    @Test
    void aHeartbeatKeepsLivenessUpWhileItBeats() {
        HealthRegistry health = direct();
        Heartbeat loop = health.heartbeat("order_consumer", Duration.ofSeconds(30));
        assertThat(health.liveness().checks().get("order_consumer").status()).isEqualTo(HealthStatus.UP);
        clock.advance(Duration.ofSeconds(29));
        loop.beat();
        clock.advance(Duration.ofSeconds(29));
        assertThat(health.liveness().checks().get("order_consumer").status()).isEqualTo(HealthStatus.UP);
        clock.advance(Duration.ofSeconds(2));
        HealthReport.Check silent = health.liveness().checks().get("order_consumer");
        assertThat(silent.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(silent.details().get(Health.REASON).toString()).contains("no beat for 31000 ms");
        loop.close();
        loop.close();
        assertThat(health.liveness().checks()).doesNotContainKey("order_consumer");
        health.heartbeat("other_loop", Duration.ofSeconds(1));
        assertThat(health.remove("other_loop")).as("the application's heartbeat, removable by name").isTrue();
        assertThat(health.readiness().checks()).doesNotContainKey("order_consumer");
    }

    // ------------------------------------------------------------------ events

    @Test
    void aChangeOfAGroupsStatusIsEmittedWithTheCheckThatMovedIt() {
        Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run).build();
        built.add(infra);
        HealthRegistry health = infra.health();
        AtomicReference<Health> db = new AtomicReference<>(Health.up());
        health.register("cache", Health::up, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofMillis(1)), GROUP);
        health.register("db", db::get, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofMillis(1)), GROUP);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            reportAfterTtl(health);
            reportAfterTtl(health);
            db.set(Health.down("gone"));
            reportAfterTtl(health);
            reportAfterTtl(health);
            db.set(Health.up());
            reportAfterTtl(health);

            List<TelemetryCapture.Captured> changes = events.named(Events.HEALTH_STATUS_CHANGED);
            assertThat(changes).extracting(e -> e.metadata().get("from") + "->" + e.metadata().get("to")
                    + " " + e.metadata().get("check") + " " + e.metadata().get("group"))
                    .containsExactly("unknown->up cache test", "up->down db test", "down->up db test");
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void checksComeAndGoWhileProbesRunFromManyThreads() throws Exception {
        HealthRegistry health = direct();
        List<String> before = health.names();
        AtomicInteger added = new AtomicInteger();
        AtomicInteger removed = new AtomicInteger();
        health.subscribe(new dev.bulwark.spi.RegistryListener<RegisteredCheck>() {
            @Override
            public void added(String name, RegisteredCheck check) {
                if (name.startsWith("t")) {
                    added.incrementAndGet();
                }
            }

            @Override
            public void removed(String name, RegisteredCheck check) {
                removed.incrementAndGet();
            }
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        var subscription = health.register("t" + id + "_" + i, Health::up, GROUP);
                        if (i % 2 == 0) {
                            subscription.close();
                        } else {
                            assertThat(health.remove("t" + id + "_" + i)).isTrue();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (int t = 0; t < 2; t++) {
            threads.add(new Thread(() -> {
                try {
                    while (!done.get()) {
                        HealthReport report = health.report(GROUP);
                        // a check caught during its first run is UNKNOWN, as documented; never DOWN, never an exception
                        assertThat(report.status()).isIn(HealthStatus.UP, HealthStatus.UNKNOWN);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads.subList(0, 6)) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        done.set(true);
        for (Thread t : threads.subList(6, 8)) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failure.get()).isNull();
        assertThat(added).hasValue(1_200);
        assertThat(removed).hasValue(1_200);
        assertThat(health.names()).isEqualTo(before);
        assertThat(health.report(GROUP).checks()).isEmpty();
    }
}
