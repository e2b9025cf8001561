package dev.bulwark.pool;

import dev.bulwark.Infrastructure;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;

/** An infrastructure on a manual clock with one pool {@value #NAME} of {@link TestResources} and a capture of its events. */
final class PoolFixture implements AutoCloseable {
    static final String NAME = "things";

    final ManualClock clock = new ManualClock();
    final TestResources factory = new TestResources();
    final Infrastructure infra;
    final Pool<TestResources.Resource> pool;
    final TelemetryCapture events;

    PoolFixture(PoolConfig config) {
        infra = Infrastructure.builder().clock(clock)
                .install(Pools.builder().pool(NAME, factory, config).asModule())
                .build();
        events = TelemetryCapture.all(infra.telemetry());
        pool = infra.component(Pools.class).orElseThrow().pool(NAME);
    }

    /** A configuration whose scheduled sweep never runs during a test: tests call maintain() themselves. */
    static PoolConfig.Builder config() {
        return PoolConfig.builder().maintenanceInterval(java.time.Duration.ofDays(1));
    }

    @Override
    public void close() {
        events.close();
        infra.close();
    }
}
