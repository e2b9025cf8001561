package dev.bulwark.pool;

import dev.bulwark.Result;
import dev.bulwark.health.Health;
import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.Objects;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * A pool of resources (poolboy's role) on Apache Commons Pool 2, built by the {@link Pools}
 * module: {@code infra.component(Pools.class).orElseThrow().pool("inventory")}.
 *
 * <pre>{@code
 * Result<Stock> stock = pool.withResource(client -> client.stock("sku-1"));
 *
 * try (Lease<Client> lease = pool.checkout(Duration.ofMillis(100)).getOrThrow()) {
 *     lease.resource().ping();
 * }
 * }</pre>
 *
 * <p><b>Checkout.</b> While the breaker on creation and validation failures is open, a checkout is
 * refused at once with 7102 (one breaker read). Otherwise it takes one of the pool's
 * {@code maxSize + maxOverflow} places, or waits for one in arrival order, at most
 * {@code maxWaiters} callers at a time (one more gets 7101 {@code waiters_full} at once) and at
 * most its timeout (then 7101 {@code timeout}, with {@code pool}, {@code waiters} and
 * {@code waited_ms} in the error's context). With a place it takes an idle resource or creates one;
 * a creation or validation failure gives the place back and answers 7102 with the cause.
 *
 * <p><b>Handoff.</b> A place given back goes to the longest waiting caller that still waits; a
 * caller that times out, is interrupted or sees the pool close at the same instant gives the place
 * it was handed straight back. No resource is handed to two callers; none is lost.
 *
 * <p><b>Maintenance</b> ({@link #maintain()}, on the infrastructure's scheduler every
 * {@link PoolConfig#maintenanceInterval()}): destroys idle overflow resources once they have lingered
 * {@link PoolConfig#overflowLinger()}, idle resources past {@link PoolConfig#evictIdleAfter()},
 * validates idle ones when due, and reports leases held longer than the leak threshold. All those
 * ages are read from the infrastructure's clock.
 *
 * <p>After close every checkout answers 7103; a lease still out is destroyed when it is checked in.
 * Thread-safe.
 *
 * @param <T> the resource type
 */
public final class Pool<T> implements AutoCloseable {

    private final PoolRuntime<T> runtime;
    private final ResourceFactory<T> factory;
    private final GenericObjectPool<Entry<T>> engine;
    private final SingleLane lane;
    private final long defaultTimeoutNanos;

    Pool(PoolRuntime<T> runtime, ResourceFactory<T> factory) {
        this.runtime = runtime;
        this.factory = factory;
        PoolConfig config = runtime.config;
        this.lane = new SingleLane(config.maxSize(), config.maxOverflow());
        this.engine = new GenericObjectPool<>(new Lifecycle(), engineConfig(config, runtime));
        this.defaultTimeoutNanos = config.checkoutTimeout().toNanos();
    }

    static <T> GenericObjectPoolConfig<Entry<T>> engineConfig(PoolConfig config, PoolRuntime<T> runtime) {
        GenericObjectPoolConfig<Entry<T>> c = new GenericObjectPoolConfig<>();
        c.setMaxTotal(-1);              // Bulwark's places bound the resources, never Commons Pool
        c.setMaxIdle(-1);
        c.setMinIdle(0);
        c.setBlockWhenExhausted(false); // Bulwark waits (on the injected clock), Commons Pool never does
        c.setLifo(true);                // recently used first: the others age out (linger, idle eviction)
        c.setTestOnBorrow(config.validateOnBorrow());
        c.setTestOnCreate(false);
        c.setTestOnReturn(false);
        c.setTestWhileIdle(config.validateWhileIdle() != null);
        c.setNumTestsPerEvictionRun(-1); // evict() looks at every idle resource; its evictor thread stays off (the default)
        c.setEvictionPolicy(runtime.evictionPolicy);
        c.setJmxEnabled(false);
        return c;
    }

    /** The pool's name. */
    public String name() {
        return runtime.name;
    }

    /** Its configuration. */
    public PoolConfig config() {
        return runtime.config;
    }

    /**
     * Runs {@code work} with a resource checked out within the configured checkout timeout, and
     * gives the resource back whatever happens; when {@code work} throws something the
     * configuration says poisons the resource ({@link PoolConfig#poisons}), the resource is destroyed
     * instead. A {@link VirtualMachineError} from {@code work} destroys the resource and propagates.
     *
     * @return what {@code work} returned, or 7101/7102/7103 from the checkout, or 7104 with the
     *         exception {@code work} threw as the cause
     * @throws NullPointerException if {@code work} is null
     */
    public <R> Result<R> withResource(ResourceFunction<? super T, ? extends R> work) {
        return runtime.withResource(lane, defaultTimeoutNanos, work);
    }

    /**
     * Checks a resource out, waiting at most {@code timeout} for one (zero: not at all). The caller
     * must end the lease ({@link #checkin}, {@link Lease#checkin()}, {@link Lease#close()}).
     *
     * @return the lease, or 7101 (exhausted: timeout, waiters full, interrupted), 7102 (creation or
     *         validation failed, breaker open), 7103 (closed)
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Result<Lease<T>> checkout(Duration timeout) {
        return runtime.checkout(lane, Durations.requireNonNegative("timeout", timeout).toNanos());
    }

    /** {@link #checkout(Duration)} with the configured checkout timeout. */
    public Result<Lease<T>> checkout() {
        return runtime.checkout(lane, defaultTimeoutNanos);
    }

    /**
     * Gives a lease's resource back.
     *
     * @throws NullPointerException     if {@code lease} is null
     * @throws IllegalArgumentException if the lease is another pool's
     * @throws IllegalStateException    if the lease has already been checked in or invalidated
     */
    public void checkin(Lease<T> lease) {
        Objects.requireNonNull(lease, "lease");
        runtime.end(lease, false, null);
    }

    /** Resources alive now (idle and checked out). */
    public int size() {
        return lane.alive.get();
    }

    /** Runs the maintenance sweep now (the scheduler runs it every maintenance interval). */
    public void maintain() {
        if (runtime.isClosed()) {
            return;
        }
        if (runtime.evictionWanted()) {
            try {
                engine.evict();
            } catch (Exception e) {
                // Commons Pool's evict() only throws if the pool closed meanwhile
            }
        }
        runtime.reportLeaks();
    }

    /** The pool's figures now. */
    public PoolStatus status() {
        PoolConfig config = runtime.config;
        return runtime.status(config.maxSize(), config.maxOverflow(), lane.idle(), lane.active(),
                lane.capacity.waiters(), lane.overflow());
    }

    /** The pool's health: exhausted or breaker open DEGRADED (DOWN when critical), else UP. */
    public Health health() {
        return runtime.health(status());
    }

    /**
     * Closes the pool: waiting callers get 7103, idle resources are destroyed, leases still out are
     * destroyed when they come back. Idempotent.
     */
    @Override
    public void close() {
        if (runtime.markClosed()) {
            lane.capacity.close();
            engine.close();
        }
    }

    PoolRuntime<T> runtime() {
        return runtime;
    }

    @Override
    public String toString() {
        return "Pool[" + runtime.name + "]";
    }

    private final class SingleLane extends Lane<T> {
        SingleLane(int maxSize, int maxOverflow) {
            super(maxSize, maxOverflow);
        }

        @Override
        Entry<T> borrow() throws Exception {
            return engine.borrowObject();
        }

        @Override
        void giveBack(Entry<T> entry) {
            engine.returnObject(entry);
        }

        @Override
        void invalidate(Entry<T> entry) throws Exception {
            engine.invalidateObject(entry);
        }

        @Override
        int idle() {
            return engine.getNumIdle();
        }

        @Override
        T create() throws Exception {
            return factory.create();
        }

        @Override
        boolean validate(T resource) throws Exception {
            return factory.validate(resource);
        }

        @Override
        void destroy(T resource) throws Exception {
            factory.destroy(resource);
        }

        @Override
        public String toString() {
            return "pool '" + runtime.name + "'";
        }
    }

    private final class Lifecycle extends BasePooledObjectFactory<Entry<T>> {
        @Override
        public Entry<T> create() {
            throw new UnsupportedOperationException("makeObject is overridden");
        }

        @Override
        public PooledObject<Entry<T>> wrap(Entry<T> entry) {
            throw new UnsupportedOperationException("makeObject is overridden");
        }

        @Override
        public PooledObject<Entry<T>> makeObject() throws Exception {
            return runtime.make(lane);
        }

        @Override
        public boolean validateObject(PooledObject<Entry<T>> pooled) {
            return runtime.validate(pooled);
        }

        @Override
        public void destroyObject(PooledObject<Entry<T>> pooled) {
            runtime.destroy(pooled);
        }
    }
}
