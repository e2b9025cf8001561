package dev.bulwark.memory;

import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Watches how full the heap stays <em>after</em> garbage collection, and turns it into a
 * {@link MemoryPressure} level: NORMAL, ELEVATED, CRITICAL, with the thresholds and hysteresis of
 * its {@link MemoryConfig}. Every {@code Infrastructure} has one ({@code infra.memory()}, also the
 * component {@code memory_monitor}); the {@code shed} stage sheds by its level, and health reports
 * it (readiness DEGRADED from ELEVATED; liveness DOWN once CRITICAL outlasts its grace period).
 *
 * <p><b>Why after collection.</b> The instantaneous heap usage counts garbage: any busy JVM shows
 * a heap near full just before each young collection. What remains after a collection is what the
 * application holds. The monitor reads when the JVM reports a collection (GC notifications) and
 * every {@link MemoryConfig#pollInterval()} besides; see {@link MemorySource#heapAfterCollection()}
 * for which pools and figures, and docs/memory.md.
 *
 * <p><b>Levels.</b> A reading at or above a threshold enters its level at once; a level is left
 * once a reading falls below its threshold minus the hysteresis ({@link MemoryConfig#levelAfter}).
 * Each change emits {@code memory.pressure_changed}. {@link #level()} is one volatile read.
 *
 * <p>Thread-safe. Readings are taken one at a time.
 */
public final class MemoryMonitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MemoryMonitor.class.getName());

    private final MemoryConfig config;
    private final MemorySource source;
    private final Clock clock;
    private final Executor executor;
    private final EventChannel changedChannel;
    private final Object lock = new Object();
    private final Subscription notifications;
    private final Scheduler.Task poll;

    private volatile MemoryPressure level = MemoryPressure.NORMAL;
    private volatile MemoryReading reading;
    private volatile long levelSinceNanos;
    private long readings;
    private long readFailures;
    private volatile boolean closed;

    private MemoryMonitor(Builder b) {
        this.config = b.config;
        this.source = b.source != null ? b.source : MemorySource.heapAfterCollection();
        this.clock = b.clock;
        this.executor = b.executor;
        this.changedChannel = b.telemetry.channel(Events.MEMORY_PRESSURE_CHANGED);
        this.levelSinceNanos = clock.nanoTime();
        refresh();
        this.notifications = source.onCollection(this::afterCollection);
        this.poll = b.scheduler == null ? null
                : b.scheduler.scheduleAtFixedRate("memory-poll", config.pollInterval(), this::refresh);
    }

    /**
     * A builder: the JVM's heap, the default thresholds, the system clock, a telemetry stream nobody
     * listens to, no polling. An {@code Infrastructure} builds its own on its clock, telemetry,
     * scheduler and executor.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The current level: one volatile read. */
    public MemoryPressure level() {
        return level;
    }

    /** The latest reading. */
    public MemoryReading reading() {
        return reading;
    }

    /** How long the level has been what it is, on the monitor's clock. */
    public Duration timeInLevel() {
        return Duration.ofNanos(clock.nanoTime() - levelSinceNanos);
    }

    /** The thresholds. */
    public MemoryConfig config() {
        return config;
    }

    /**
     * Takes a reading now and updates the level (tests call it after changing an injected reading).
     * A source that throws is logged and counted; the level stays.
     *
     * @return the level after the reading
     */
    public MemoryPressure refresh() {
        MemoryReading now;
        try {
            now = Objects.requireNonNull(source.read(), "the memory source returned null");
        } catch (RuntimeException e) {
            synchronized (lock) {
                readFailures++;
            }
            LOG.log(System.Logger.Level.WARNING, "reading memory from " + source + " failed", e);
            return level;
        }
        synchronized (lock) {
            readings++;
            reading = now;
            MemoryPressure from = level;
            MemoryPressure to = config.levelAfter(from, now.occupancy());
            if (to != from) {
                level = to;
                levelSinceNanos = clock.nanoTime();
                if (changedChannel.isActive()) {
                    changedChannel.emit(Map.of(EventKeys.OCCUPANCY, now.occupancy(), EventKeys.USED_BYTES, now.usedBytes(),
                                    EventKeys.MAX_BYTES, now.maxBytes()),
                            Map.of(EventKeys.FROM, from.label(), EventKeys.TO, to.label()));
                }
            }
            return to;
        }
    }

    private void afterCollection() {
        if (closed) {
            return;
        }
        try {
            executor.execute(this::refresh);   // off the JVM's notification thread
        } catch (RejectedExecutionException closing) {
            // the infrastructure is closing
        }
    }

    /** What {@code infra.status()} shows under {@code memory_monitor}. */
    public Status status() {
        synchronized (lock) {
            MemoryReading r = reading;
            return new Status(level, r == null ? 0 : r.occupancy(), r == null ? 0 : r.usedBytes(), r == null ? 0 : r.maxBytes(),
                    timeInLevel(), readings, readFailures, source.toString());
        }
    }

    /**
     * The status of a {@link MemoryMonitor}.
     *
     * @param level        the current level
     * @param occupancy    the latest reading's share of the heap in use after collection
     * @param usedBytes    its bytes in use
     * @param maxBytes     the heap's maximum
     * @param timeInLevel  how long the level has been what it is
     * @param readings     readings taken
     * @param readFailures readings that failed
     * @param source       what it reads (the pools, for the JVM's heap)
     */
    public record Status(MemoryPressure level, double occupancy, long usedBytes, long maxBytes, Duration timeInLevel,
                         long readings, long readFailures, String source) implements ComponentStatus {
    }

    /** Stops listening to collections and polling. Idempotent. */
    @Override
    public void close() {
        closed = true;
        notifications.close();
        if (poll != null) {
            poll.cancel();
        }
    }

    @Override
    public String toString() {
        return "MemoryMonitor[" + level + ", " + reading + "]";
    }

    /** Builds a {@link MemoryMonitor}; not thread-safe. */
    public static final class Builder {
        private MemoryConfig config = MemoryConfig.defaults();
        private MemorySource source;
        private Clock clock = Clock.system();
        private Telemetry telemetry;
        private Scheduler scheduler;
        private Executor executor = Runnable::run;

        private Builder() {
        }

        public Builder config(MemoryConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Where readings come from (default {@link MemorySource#heapAfterCollection()}). */
        public Builder source(MemorySource source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The clock of {@link #timeInLevel()} and the grace period. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /** Polls every {@link MemoryConfig#pollInterval()} on this scheduler (default: no polling). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Where a reading after a collection runs (default: on the JVM's notification thread). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Builds the monitor, takes a first reading and starts listening (and polling). */
        public MemoryMonitor build() {
            if (telemetry == null) {
                telemetry = Telemetry.create();
            }
            return new MemoryMonitor(this);
        }
    }
}
