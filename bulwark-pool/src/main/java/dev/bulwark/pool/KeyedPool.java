package dev.bulwark.pool;

import dev.bulwark.Result;
import dev.bulwark.health.Health;
import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;

/**
 * A pool of resources per key (a shard, a host, a tenant's endpoint) with a cap per key, on
 * Commons Pool 2's {@code GenericKeyedObjectPool}. Each key has what a {@link Pool} has, sized by
 * the same {@link PoolConfig}: {@code maxSize + maxOverflow} places, its own waiters (at most
 * {@code maxWaiters} per key), linger, eviction, validation. One key that is exhausted never
 * holds up another. The breaker on creation and validation failures, the counters and the events
 * are the pool's (not per key: a metrics bridge keeps one series per pool).
 *
 * <p>A key's places are made the first time the key is used and kept for the pool's life, so the
 * set of keys should be bounded (hosts, shards), not per request. {@link #status()} adds up every
 * key, with {@code maxSize} and {@code maxOverflow} multiplied by the number of keys (so
 * {@code exhausted()} means every key is); {@link #status(Object)} is one key's. Thread-safe.
 *
 * @param <K> the key type
 * @param <T> the resource type
 */
public final class KeyedPool<K, T> implements AutoCloseable {

    private final PoolRuntime<T> runtime;
    private final KeyedResourceFactory<K, T> factory;
    private final GenericKeyedObjectPool<K, Entry<T>> engine;
    private final ConcurrentMap<K, KeyLane> lanes = new ConcurrentHashMap<>();
    private final long defaultTimeoutNanos;

    KeyedPool(PoolRuntime<T> runtime, KeyedResourceFactory<K, T> factory) {
        this.runtime = runtime;
        this.factory = factory;
        PoolConfig config = runtime.config;
        GenericKeyedObjectPoolConfig<Entry<T>> c = new GenericKeyedObjectPoolConfig<>();
        c.setMaxTotal(-1);
        c.setMaxTotalPerKey(-1);   // Bulwark's places per key are the cap
        c.setMaxIdlePerKey(-1);
        c.setMinIdlePerKey(0);
        c.setBlockWhenExhausted(false);
        c.setLifo(true);
        c.setTestOnBorrow(config.validateOnBorrow());
        c.setTestWhileIdle(config.validateWhileIdle() != null);
        c.setNumTestsPerEvictionRun(-1);
        c.setEvictionPolicy(runtime.evictionPolicy);
        c.setJmxEnabled(false);
        this.engine = new GenericKeyedObjectPool<>(new Lifecycle(), c);
        this.defaultTimeoutNanos = config.checkoutTimeout().toNanos();
    }

    /** The pool's name. */
    public String name() {
        return runtime.name;
    }

    /** Its configuration (each key's). */
    public PoolConfig config() {
        return runtime.config;
    }

    /**
     * {@link Pool#withResource} with a resource of {@code key}.
     *
     * @throws NullPointerException if {@code key} or {@code work} is null
     */
    public <R> Result<R> withResource(K key, ResourceFunction<? super T, ? extends R> work) {
        return runtime.withResource(lane(key), defaultTimeoutNanos, work);
    }

    /**
     * {@link Pool#checkout(Duration)} of a resource of {@code key}.
     *
     * @throws NullPointerException     if {@code key} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Result<Lease<T>> checkout(K key, Duration timeout) {
        long nanos = Durations.requireNonNegative("timeout", timeout).toNanos();
        return runtime.checkout(lane(key), nanos);
    }

    /**
     * Gives a lease's resource back.
     *
     * @throws IllegalStateException    if it was already checked in or invalidated
     * @throws IllegalArgumentException if it is another pool's
     */
    public void checkin(Lease<T> lease) {
        Objects.requireNonNull(lease, "lease");
        runtime.end(lease, false, null);
    }

    /** Resources of {@code key} alive now. */
    public int size(K key) {
        KeyLane lane = lanes.get(Objects.requireNonNull(key, "key"));
        return lane == null ? 0 : lane.alive.get();
    }

    /** Resources alive now, every key. */
    public int size() {
        int n = 0;
        for (KeyLane lane : lanes.values()) {
            n += lane.alive.get();
        }
        return n;
    }

    /** Runs the maintenance sweep now; see {@link Pool#maintain()}. */
    public void maintain() {
        if (runtime.isClosed()) {
            return;
        }
        if (runtime.evictionWanted()) {
            try {
                engine.evict();
            } catch (Exception e) {
                // only if the pool closed meanwhile
            }
        }
        runtime.reportLeaks();
    }

    /** Every key added up (see the class comment). */
    public PoolStatus status() {
        int idle = 0;
        int active = 0;
        int waiters = 0;
        int overflow = 0;
        for (KeyLane lane : lanes.values()) {
            idle += lane.idle();
            active += lane.active();
            waiters += lane.capacity.waiters();
            overflow += lane.overflow();
        }
        int keys = Math.max(1, lanes.size());
        PoolConfig config = runtime.config;
        return runtime.status(config.maxSize() * keys, config.maxOverflow() * keys, idle, active, waiters, overflow);
    }

    /** One key's figures (the counters are the pool's). */
    public PoolStatus status(K key) {
        KeyLane lane = lane(key);
        PoolConfig config = runtime.config;
        return runtime.status(config.maxSize(), config.maxOverflow(), lane.idle(), lane.active(),
                lane.capacity.waiters(), lane.overflow());
    }

    /** The pool's health: breaker open, or every key exhausted, DEGRADED (DOWN when critical). */
    public Health health() {
        return runtime.health(status());
    }

    /** Closes the pool; see {@link Pool#close()}. */
    @Override
    public void close() {
        if (runtime.markClosed()) {
            for (KeyLane lane : lanes.values()) {
                lane.capacity.close();
            }
            engine.close();
        }
    }

    PoolRuntime<T> runtime() {
        return runtime;
    }

    private KeyLane lane(K key) {
        Objects.requireNonNull(key, "key");
        KeyLane lane = lanes.get(key);
        return lane != null ? lane : lanes.computeIfAbsent(key, KeyLane::new);
    }

    @Override
    public String toString() {
        return "KeyedPool[" + runtime.name + "]";
    }

    private final class KeyLane extends Lane<T> {
        private final K key;

        KeyLane(K key) {
            super(runtime.config.maxSize(), runtime.config.maxOverflow());
            this.key = key;
        }

        @Override
        Entry<T> borrow() throws Exception {
            return engine.borrowObject(key);
        }

        @Override
        void giveBack(Entry<T> entry) {
            engine.returnObject(key, entry);
        }

        @Override
        void invalidate(Entry<T> entry) throws Exception {
            engine.invalidateObject(key, entry);
        }

        @Override
        int idle() {
            return engine.getNumIdle(key);
        }

        @Override
        T create() throws Exception {
            return factory.create(key);
        }

        @Override
        boolean validate(T resource) throws Exception {
            return factory.validate(key, resource);
        }

        @Override
        void destroy(T resource) throws Exception {
            factory.destroy(key, resource);
        }

        @Override
        public String toString() {
            return "pool '" + runtime.name + "' key " + key;
        }
    }

    private final class Lifecycle extends BaseKeyedPooledObjectFactory<K, Entry<T>> {
        @Override
        public Entry<T> create(K key) {
            throw new UnsupportedOperationException("makeObject is overridden");
        }

        @Override
        public PooledObject<Entry<T>> wrap(Entry<T> entry) {
            throw new UnsupportedOperationException("makeObject is overridden");
        }

        @Override
        public PooledObject<Entry<T>> makeObject(K key) throws Exception {
            return runtime.make(lane(key));
        }

        @Override
        public boolean validateObject(K key, PooledObject<Entry<T>> pooled) {
            return runtime.validate(pooled);
        }

        @Override
        public void destroyObject(K key, PooledObject<Entry<T>> pooled) {
            runtime.destroy(pooled);
        }
    }
}
