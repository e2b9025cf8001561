package dev.bulwark.micrometer;

import dev.bulwark.circuit.State;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ModuleContext;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A module that shows one pool's {@link PoolStatus} in {@code infra.status()}, as bulwark-pool's
 * pools do; the test sets the figures.
 */
final class FakePool implements BulwarkModule {

    final AtomicReference<PoolStatus> status;

    FakePool(String name) {
        status = new AtomicReference<>(new PoolStatus(name, 10, 5, 10, 0, 0, 0, 10, 0, 0, 0, 0, State.CLOSED));
    }

    /** Sets the figures that change under load. */
    void set(int idle, int active, int waiters, long created, long destroyed, long timeouts, long rejections, long leaks) {
        PoolStatus s = status.get();
        status.set(new PoolStatus(s.name(), s.maxSize(), s.maxOverflow(), idle, active, waiters,
                Math.max(0, idle + active - s.maxSize()), created, destroyed, timeouts, rejections, leaks, s.breaker()));
    }

    @Override
    public String name() {
        return "pool_" + status.get().name();
    }

    @Override
    public void install(ModuleContext context) {
        context.register(name(), this, status::get, null);
    }
}
