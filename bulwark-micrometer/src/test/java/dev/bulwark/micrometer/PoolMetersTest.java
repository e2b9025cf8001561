package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.time.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Pool meters read from the pools' {@code PoolStatus} in {@code infra.status()}, at publication. */
class PoolMetersTest {

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String name, String pool) {
        return registry.get(name).tags("pool", pool).gauge().value();
    }

    private double counter(String name, String pool) {
        return registry.get(name).tags("pool", pool).functionCounter().count();
    }

    @Test
    void eachPoolHasItsGaugesAndCountersAfterAScriptedLoad() {
        FakePool db = new FakePool("db");
        FakePool workers = new FakePool("workers");
        try (Infrastructure infra = Infrastructure.builder().clock(clock).install(db).install(workers)
                .install(BulwarkMetrics.bindTo(registry)).build()) {
            assertThat(PoolGauges.available()).isTrue();
            assertThat(gauge("bulwark.pool.max", "db")).isEqualTo(15);
            assertThat(gauge("bulwark.pool.idle", "db")).isEqualTo(10);
            assertThat(gauge("bulwark.pool.active", "db")).isZero();

            // under load: every resource out, callers waiting, timeouts and refusals
            db.set(0, 15, 4, 15, 0, 7, 3, 1);
            assertThat(gauge("bulwark.pool.active", "db")).as("the same scrape's snapshot").isZero();
            clock.advance(HealthGauges.REPORT_REUSE);
            assertThat(gauge("bulwark.pool.idle", "db")).isZero();
            assertThat(gauge("bulwark.pool.active", "db")).isEqualTo(15);
            assertThat(gauge("bulwark.pool.waiters", "db")).isEqualTo(4);
            assertThat(counter("bulwark.pool.timeouts", "db")).isEqualTo(7);
            assertThat(counter("bulwark.pool.rejections", "db")).isEqualTo(3);
            assertThat(counter("bulwark.pool.creations", "db")).isEqualTo(15);
            assertThat(counter("bulwark.pool.destructions", "db")).isZero();
            assertThat(counter("bulwark.pool.leaks", "db")).isEqualTo(1);
            assertThat(gauge("bulwark.pool.active", "workers")).isZero();

            BulwarkMetrics.Status status = infra.status()
                    .component(BulwarkMetrics.COMPONENT_NAME, BulwarkMetrics.Status.class).orElseThrow();
            assertThat(status.series()).isEqualTo(registry.getMeters().size());
            assertThat(registry.find("bulwark.pool.idle").gauges()).hasSize(2);
            infra.close();
            assertThat(registry.find("bulwark.pool.idle").gauges()).isEmpty();
        }
    }

    @Test
    void withoutPoolsThereIsNoPoolMeter() {
        try (Infrastructure infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry)).build()) {
            assertThat(infra.isRunning()).isTrue();
            assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("bulwark.pool."));
        }
    }
}
