package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.State;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.time.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
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

    /** A registry of pools that shows them all in one status record, as a {@code Pools} component may. */
    record PoolsStatus(int count, Map<String, PoolStatus> pools) implements ComponentStatus {
    }

    @Test
    void poolsInsideAComponentsStatusAreFoundToo() {
        PoolStatus orders = new PoolStatus("orders", 4, 0, 1, 3, 0, 0, 4, 0, 0, 0, 0, State.CLOSED);
        PoolStatus reports = new PoolStatus("reports", 2, 2, 0, 4, 6, 2, 6, 2, 9, 0, 0, State.OPEN);
        BulwarkModule registryOfPools = new BulwarkModule() {
            @Override
            public String name() {
                return "pools";
            }

            @Override
            public void install(ModuleContext context) {
                context.register("pools", this, () -> new PoolsStatus(2, Map.of("orders", orders, "reports", reports)), null);
            }
        };
        try (Infrastructure infra = Infrastructure.builder().clock(clock).install(registryOfPools)
                .install(BulwarkMetrics.bindTo(registry)).build()) {
            assertThat(infra.isRunning()).isTrue();
            assertThat(gauge("bulwark.pool.active", "orders")).isEqualTo(3);
            assertThat(gauge("bulwark.pool.max", "reports")).isEqualTo(4);
            assertThat(gauge("bulwark.pool.waiters", "reports")).isEqualTo(6);
            assertThat(counter("bulwark.pool.timeouts", "reports")).isEqualTo(9);
            assertThat(registry.find("bulwark.pool.active").gauges()).hasSize(2);
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
