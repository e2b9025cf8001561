package dev.bulwark.eventstore;

import dev.bulwark.error.InfraException;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.TelemetryHandler;
import dev.bulwark.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Keeps the infrastructure's protection events in an {@link EventStore}: a handler on the telemetry
 * stream that only enqueues, and one writer thread that batches into the store.
 *
 * <pre>{@code
 * Infrastructure infra = Infrastructure.builder()
 *         .install(EventRecorder.builder().fileStore(Path.of("/var/lib/app/events")).asModule())
 *         .build();
 * EventStore store = infra.component(EventStore.class).orElseThrow();
 * }</pre>
 *
 * <p><b>The emitting thread</b> (whoever emits an event) looks up how the event is treated (one map
 * read), stamps it with the clock and claims a slot of a bounded ring: it never blocks and
 * allocates nothing. A full ring drops the event and counts it ({@link Status#droppedQueueFull()},
 * and an {@code event_store.events_dropped} event from the writer, at most once a second).
 *
 * <p><b>What is kept.</b> State changes, configuration changes, failures (retries exhausted,
 * timeouts, failed fallbacks, store outages...) and everything else one by one; rejections (names
 * ending in {@code _rejected} or {@code _denied}, {@code shed}, {@code deny_cache_hit},
 * {@code retry.budget_exhausted}) folded per second per (event, component, reason, entity) into one
 * {@link StoredEvent.Kind#AGGREGATE} record with a count. The events every protected call emits
 * ({@code circuit_breaker.call_executed}, {@code protection_executed},
 * {@code rate_limiter.request_allowed}) are left out of the subscription altogether, so that a
 * successful call costs nothing more with the recorder attached (meters count those);
 * {@link Builder#keepCallOutcomes()} takes the first two in (their failures one by one, a
 * {@code protection_executed} with outcome {@code rejected} aggregated, successes skipped) and
 * {@link Builder#keepRoutineEvents()} keeps everything. The event's declaration tells which metadata
 * names its component (a tag: breaker name, protection key, rule...) and its entity (a detail: the
 * entity id).
 *
 * <p><b>The writer</b> writes a batch when {@link Builder#batchSize} records are pending or the
 * oldest has waited {@link Builder#flushInterval}. When the store fails, records stay in a bounded
 * buffer ({@link Builder#maxBufferedRecords}) and the write is retried with exponential backoff
 * until it succeeds ({@code event_store.store_unavailable}, then {@code event_store.store_recovered});
 * while the buffer is full, new records are dropped and counted ({@link Status#droppedUnavailable()}),
 * except the module's own {@code event_store.*} events (at most a few a second), which go into the
 * buffer straight from the writer and beyond its bound, so that the record of an outage and its
 * drops is never what gets dropped.
 * Nothing is lost silently: at any time {@code offered = droppedQueueFull + queued + aggregating +
 * bufferedEvents + written + droppedUnavailable}, counted in events.
 *
 * <p>Pacing (flush interval, backoff, drop reports, upkeep) is in real time, like the
 * infrastructure's scheduler; event timestamps, aggregation seconds and retention ages come from
 * the infrastructure's clock. Thread-safe.
 */
public final class EventRecorder implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventRecorder.class.getName());
    /** The component name of the recorder in {@code infra.status()}. */
    public static final String COMPONENT_NAME = "event_recorder";
    /** The component name of its store in {@code infra.status()}. */
    public static final String STORE_COMPONENT_NAME = "event_store";
    private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_OPEN_AGGREGATES = 10_000;
    /** The events of every protected call, left out unless {@link Builder#keepCallOutcomes()}. */
    static final List<String> CALL_OUTCOMES = List.of("circuit_breaker.call_executed", "protection_executed");

    private final Telemetry telemetry;
    private final Clock clock;
    private final String handlerId;
    private final EventName prefix;
    /** The names of the module's own events: kept even beyond the buffer's bound (a few a second at most). */
    private final String ownEvents;
    private final EventRing ring;
    private final int batchSize;
    private final long flushIntervalNanos;
    private final int maxBufferedRecords;
    private final long minBackoffNanos;
    private final long maxBackoffNanos;
    private final long closeTimeoutNanos;
    private final boolean keepRoutine;
    private final boolean aggregate;
    private final Set<String> skipped;
    private final ConcurrentHashMap<EventName, EventShape> shapes = new ConcurrentHashMap<>();
    private final LongAdder droppedQueueFull = new LongAdder();
    private final EventChannel droppedChannel;
    private final EventChannel unavailableChannel;
    private final EventChannel recoveredChannel;
    private final Handler handler = new Handler();

    private volatile EventStore store;
    private volatile Thread writer;
    private volatile boolean closing;
    private volatile boolean stopped;

    // flush handshake
    private final Object flushMonitor = new Object();
    private long flushRequested;            // guarded by flushMonitor
    private long flushCompleted;            // guarded by flushMonitor
    private boolean flushCompletedClean;    // guarded by flushMonitor

    // writer-owned state, published through volatile counters
    private final ArrayDeque<StoredEvent> pending = new ArrayDeque<>();
    private final LinkedHashMap<AggregateKey, Aggregate> open = new LinkedHashMap<>();
    private volatile long written;
    private volatile long direct;
    private volatile long rowsWritten;
    private volatile long droppedUnavailable;
    private volatile long bufferedEvents;
    private volatile int bufferedRecords;
    private volatile long aggregating;
    private volatile long batches;
    private volatile long failedWrites;
    private volatile boolean storeAvailable = true;
    private volatile String lastError;
    private long latestSecond = Long.MIN_VALUE;
    private long firstPendingNanos;
    private long nextAttemptNanos;
    private long backoffNanos;
    private long downSinceNanos;
    private long droppedAtOutageStart;
    private long reportedQueueFull;
    private long reportedUnavailable;
    private long lastReportNanos;
    private long lastMaintenanceNanos;

    private EventRecorder(Builder b, Telemetry telemetry, Clock clock) {
        this.telemetry = telemetry;
        this.clock = clock;
        this.prefix = telemetry.prefix();
        this.ownEvents = prefix + ".event_store.";
        this.handlerId = "event-recorder-" + Integer.toHexString(System.identityHashCode(this));
        this.ring = new EventRing(b.queueCapacity);
        this.batchSize = b.batchSize;
        this.flushIntervalNanos = b.flushInterval.toNanos();
        this.maxBufferedRecords = b.maxBufferedRecords;
        this.minBackoffNanos = b.minBackoff.toNanos();
        this.maxBackoffNanos = b.maxBackoff.toNanos();
        this.closeTimeoutNanos = b.closeTimeout.toNanos();
        this.keepRoutine = b.keepRoutine;
        this.aggregate = b.aggregate;
        this.skipped = Set.copyOf(b.skipped);
        telemetry.declare(EventStoreEvents.all());
        this.droppedChannel = telemetry.channel(EventStoreEvents.EVENTS_DROPPED);
        this.unavailableChannel = telemetry.channel(EventStoreEvents.STORE_UNAVAILABLE);
        this.recoveredChannel = telemetry.channel(EventStoreEvents.STORE_RECOVERED);
        this.backoffNanos = minBackoffNanos;
        Set<EventName> excluded = new LinkedHashSet<>();
        for (String suffix : skipped) {
            excluded.add(prefix.append(EventName.parse(suffix)));
        }
        if (!b.keepCallOutcomes) {
            for (String suffix : CALL_OUTCOMES) {
                excluded.add(prefix.append(EventName.parse(suffix)));
            }
        }
        if (!keepRoutine) {
            excluded.add(prefix.append("rate_limiter", "request_allowed"));
        }
        telemetry.attachPrefix(handlerId, prefix, excluded, handler);
    }

    /** A builder; choose a store with {@link Builder#fileStore(Path)}, {@link Builder#postgres} or {@link Builder#store}. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- the emitting side

    /** The telemetry handler: runs on the emitting thread, never blocks, allocates nothing once the name is known. */
    private final class Handler implements TelemetryHandler {
        @Override
        public void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
            EventShape shape = shapes.get(event);
            if (shape == null) {
                shape = shapeOf(event);
            }
            if (shape.treatment(metadata) == EventShape.Treatment.SKIP || closing) {
                return;
            }
            if (Thread.currentThread() == writer) {
                // the recorder's and the store's own events, emitted by the writer itself: straight into
                // the buffer, so that a full queue never swallows the report of its own drops
                direct++;
                accept(event, measurements, metadata, clock.currentTimeMillis());
                return;
            }
            if (!ring.offer(event, measurements, metadata, clock.currentTimeMillis())) {
                droppedQueueFull.increment();
            }
        }
    }

    private EventShape shapeOf(EventName event) {
        EventShape shape = EventShape.of(EventShape.suffix(prefix, event), telemetry.declaration(event), keepRoutine,
                aggregate, skipped);
        EventShape raced = shapes.putIfAbsent(event, shape);
        return raced != null ? raced : shape;
    }

    // ---------------------------------------------------------------- the writer

    private void start(EventStore target) {
        this.store = target;
        long now = System.nanoTime();
        lastReportNanos = now;
        lastMaintenanceNanos = now;
        Thread t = new Thread(this::runWriter, "bulwark-event-writer");
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    private final EventRing.Sink sink = this::accept;

    private void runWriter() {
        try {
            while (true) {
                long req;
                synchronized (flushMonitor) {
                    req = flushRequested;
                }
                boolean flushing = req > flushCompletedSnapshot() || closing;
                int drained = drainAvailable();
                if (flushing) {
                    reportDrops();   // after draining, so that the ring has room for the report; the flush waits for it
                }
                long target = ring.accepted();
                drained += drainAvailable();
                long now = System.nanoTime();
                closeAggregates(flushing ? Long.MAX_VALUE : currentSecond());
                boolean wrote = writeDue(now, flushing);
                periodic(now);
                if (flushing) {
                    boolean caughtUp = ring.consumed() >= target && open.isEmpty();
                    boolean clean = pending.isEmpty();
                    if (caughtUp && (clean || !storeAvailable || closing)) {
                        if (closing && (clean || System.nanoTime() >= closeDeadline)) {
                            dropPendingOnClose();
                            completeFlush(req, pending.isEmpty());
                            return;
                        }
                        if (!closing) {
                            completeFlush(req, clean);
                            continue;
                        }
                    }
                }
                if (drained == 0 && !wrote) {
                    LockSupport.parkNanos(this, idleParkNanos());
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "the event writer stopped", t);
            lastError = "writer stopped: " + t;
            synchronized (flushMonitor) {
                flushCompleted = Long.MAX_VALUE;
                flushMonitor.notifyAll();
            }
        } finally {
            stopped = true;
        }
    }

    private volatile long closeDeadline = Long.MAX_VALUE;

    private long flushCompletedSnapshot() {
        synchronized (flushMonitor) {
            return flushCompleted;
        }
    }

    private void completeFlush(long req, boolean clean) {
        synchronized (flushMonitor) {
            if (req > flushCompleted) {
                flushCompleted = req;
                flushCompletedClean = clean;
            }
            flushMonitor.notifyAll();
        }
    }

    private long idleParkNanos() {
        if (!pending.isEmpty()) {
            return Math.max(100_000, Math.min(TimeUnit.MILLISECONDS.toNanos(1), flushIntervalNanos / 4));
        }
        return TimeUnit.MILLISECONDS.toNanos(1);
    }

    /** Drains the ring while the buffer has room (or the store is down: then extra records are dropped). */
    private int drainAvailable() {
        int total = 0;
        while (true) {
            int room = storeAvailable ? Math.min(batchSize, maxBufferedRecords - pending.size()) : batchSize;
            if (room <= 0) {
                return total;
            }
            int n = ring.drain(sink, room);
            total += n;
            if (n < room) {
                return total;
            }
            if (pending.size() >= batchSize && storeAvailable) {
                return total;
            }
        }
    }

    /** One drained event: kept, or folded into its second's aggregate. Writer thread. */
    private void accept(EventName name, Map<String, Number> measurements, Map<String, Object> metadata, long ts) {
        EventShape shape = shapes.get(name);
        if (shape == null) {
            shape = shapeOf(name);
        }
        long second = Math.floorDiv(ts, 1000);
        if (second > latestSecond) {
            latestSecond = second;
        }
        String component = shape.component(metadata);
        String entity = shape.entity(metadata);
        if (shape.treatment(metadata) == EventShape.Treatment.AGGREGATE) {
            AggregateKey key = new AggregateKey(name, component, shape.reason(metadata), entity, second);
            Aggregate agg = open.get(key);
            if (agg == null) {
                open.put(key, new Aggregate(ts, component, entity, measurements, metadata));
                if (open.size() > MAX_OPEN_AGGREGATES) {
                    closeAggregates(Long.MAX_VALUE);
                }
            } else {
                agg.count++;
            }
            aggregating++;
            return;
        }
        buffer(new StoredEvent(ts, name.toString(), StoredEvent.Kind.EVENT, 1, component, entity,
                measurements, strings(metadata)));
    }

    private long currentSecond() {
        return Math.max(latestSecond, Math.floorDiv(clock.currentTimeMillis(), 1000));
    }

    /** Moves the aggregates of seconds before {@code second} into the buffer. */
    private void closeAggregates(long second) {
        if (open.isEmpty()) {
            return;
        }
        Iterator<Map.Entry<AggregateKey, Aggregate>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<AggregateKey, Aggregate> e = it.next();
            if (e.getKey().second < second) {
                Aggregate a = e.getValue();
                it.remove();
                aggregating -= a.count;
                buffer(new StoredEvent(a.ts, e.getKey().name.toString(), StoredEvent.Kind.AGGREGATE, a.count, a.component,
                        a.entity, a.measurements, strings(a.metadata)));
            }
        }
    }

    private void buffer(StoredEvent record) {
        if (!storeAvailable && pending.size() >= maxBufferedRecords && !record.name().startsWith(ownEvents)) {
            droppedUnavailable += record.count();
            return;
        }
        if (pending.isEmpty()) {
            firstPendingNanos = System.nanoTime();
        }
        pending.add(record);
        bufferedEvents += record.count();
        bufferedRecords = pending.size();
    }

    /** Writes what is due: a full batch, an old enough one, everything when flushing. Returns whether it wrote. */
    private boolean writeDue(long now, boolean flushing) {
        boolean wrote = false;
        while (!pending.isEmpty()) {
            boolean due = pending.size() >= batchSize || flushing || now - firstPendingNanos >= flushIntervalNanos;
            if (!due || (!storeAvailable && now < nextAttemptNanos)) {
                return wrote;
            }
            List<StoredEvent> batch = new ArrayList<>(Math.min(batchSize, pending.size()));
            Iterator<StoredEvent> it = pending.iterator();
            long events = 0;
            while (it.hasNext() && batch.size() < batchSize) {
                StoredEvent e = it.next();
                batch.add(e);
                events += e.count();
            }
            try {
                store.append(batch);
            } catch (RuntimeException e) {
                failed(e, now);
                return wrote;
            }
            for (int i = 0; i < batch.size(); i++) {
                pending.poll();
            }
            bufferedEvents -= events;
            bufferedRecords = pending.size();
            written += events;
            rowsWritten += batch.size();
            batches++;
            wrote = true;
            if (!storeAvailable) {
                recovered(now);
            }
            firstPendingNanos = now;
            now = System.nanoTime();
        }
        return wrote;
    }

    private void failed(RuntimeException e, long now) {
        failedWrites++;
        lastError = e.getMessage();
        if (storeAvailable) {
            storeAvailable = false;
            downSinceNanos = now;
            droppedAtOutageStart = droppedUnavailable;
            backoffNanos = minBackoffNanos;
            LOG.log(System.Logger.Level.WARNING, "event store {0} unavailable, buffering: {1}", store.kind(), e.getMessage());
            if (unavailableChannel.isActive()) {
                int code = e instanceof InfraException ie ? ie.error().code() : EventStoreErrorCode.STORE_UNAVAILABLE.code();
                unavailableChannel.emit(Map.of(), Map.of(EventStoreEvents.STORE, store.kind(), EventStoreEvents.ERROR_CODE, code,
                        EventStoreEvents.MESSAGE, String.valueOf(e.getMessage())));
            }
        } else {
            backoffNanos = Math.min(maxBackoffNanos, backoffNanos * 2);
        }
        nextAttemptNanos = now + backoffNanos;
    }

    private void recovered(long now) {
        storeAvailable = true;
        lastError = null;
        long downtimeMs = TimeUnit.NANOSECONDS.toMillis(now - downSinceNanos);
        LOG.log(System.Logger.Level.INFO, "event store {0} written again after {1} ms", store.kind(), downtimeMs);
        if (recoveredChannel.isActive()) {
            recoveredChannel.emit(Map.of(EventStoreEvents.DOWNTIME_MS, downtimeMs, EventStoreEvents.BUFFERED, bufferedEvents,
                            EventStoreEvents.DROPPED, droppedUnavailable - droppedAtOutageStart),
                    Map.of(EventStoreEvents.STORE, store.kind()));
        }
    }

    private void periodic(long now) {
        if (now - lastReportNanos >= REPORT_INTERVAL_NANOS) {
            lastReportNanos = now;
            reportDrops();
        }
        if (storeAvailable && now - lastMaintenanceNanos >= REPORT_INTERVAL_NANOS) {
            lastMaintenanceNanos = now;
            try {
                store.maintain();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "event store upkeep failed", e);
            }
        }
    }

    private void reportDrops() {
        long queueFull = droppedQueueFull.sum();
        long unavailable = droppedUnavailable;
        report(queueFull - reportedQueueFull, "queue_full");
        report(unavailable - reportedUnavailable, "store_unavailable");
        reportedQueueFull = queueFull;
        reportedUnavailable = unavailable;
    }

    private void report(long count, String reason) {
        if (count > 0 && droppedChannel.isActive()) {
            droppedChannel.emit(Map.of(EventStoreEvents.COUNT, count), Map.of(EventStoreEvents.STORE, store.kind(),
                    EventStoreEvents.REASON, reason, EventStoreEvents.ERROR_CODE, EventStoreErrorCode.EVENTS_DROPPED.code()));
        }
    }

    private void dropPendingOnClose() {
        if (!pending.isEmpty()) {
            long events = bufferedEvents;
            LOG.log(System.Logger.Level.WARNING, "closing: {0} events could not be written to the {1} store and are dropped",
                    events, store.kind());
            droppedUnavailable += events;
            pending.clear();
            bufferedEvents = 0;
            bufferedRecords = 0;
        }
    }

    private static Map<String, String> strings(Map<String, Object> metadata) {
        if (metadata.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v.toString());
            }
        });
        return Collections.unmodifiableMap(out);
    }

    private record AggregateKey(EventName name, String component, String reason, String entity, long second) {
    }

    private static final class Aggregate {
        final long ts;
        final String component;
        final String entity;
        final Map<String, Number> measurements;
        final Map<String, Object> metadata;
        long count = 1;

        Aggregate(long ts, String component, String entity, Map<String, Number> measurements, Map<String, Object> metadata) {
            this.ts = ts;
            this.component = component;
            this.entity = entity;
            this.measurements = measurements;
            this.metadata = metadata;
        }
    }

    // ---------------------------------------------------------------- public operations

    /**
     * Waits until every event enqueued before this call is written (rejection aggregates of the
     * current second are closed early, so that second may end up split in two records whose counts
     * add up), or until the store has refused it.
     *
     * @return true if everything was written; false if the store is unavailable (the records stay
     *         buffered and are retried), the timeout passed, or the recorder is closed
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Thread w = writer;
        if (w == null || stopped) {
            return false;
        }
        synchronized (flushMonitor) {
            long id = ++flushRequested;
            LockSupport.unpark(w);
            while (flushCompleted < id) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopped) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(flushMonitor, Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                LockSupport.unpark(w);
            }
            return flushCompletedClean && flushCompleted != Long.MAX_VALUE;
        }
    }

    /** {@link #flush(Duration)} with a 30 s timeout. */
    public boolean flush() {
        return flush(Duration.ofSeconds(30));
    }

    /** The store the recorder writes to. */
    public EventStore store() {
        return store;
    }

    /** A snapshot of the recorder's counters (in events unless named records). */
    public Status status() {
        long accepted = ring.accepted();
        long dropped = droppedQueueFull.sum();
        return new Status(store == null ? "none" : store.kind(), storeAvailable, accepted + direct + dropped, written, rowsWritten,
                dropped, droppedUnavailable, ring.size(), ring.capacity(), aggregating, bufferedEvents, bufferedRecords,
                maxBufferedRecords, batches, failedWrites, lastError);
    }

    /**
     * The status of an {@link EventRecorder}. When the recorder is idle (after {@link #flush}),
     * {@code offered == droppedQueueFull + written + droppedUnavailable + bufferedEvents}; at any
     * time {@code queued} and {@code aggregating} add the events still on their way.
     *
     * @param store              the store's kind
     * @param storeAvailable     whether the last write succeeded
     * @param offered            events handed to the recorder (routine successes it skips are not counted)
     * @param written            events written to the store (an aggregate counts its rejections)
     * @param rowsWritten        records written (an aggregate is one)
     * @param droppedQueueFull   events dropped on the emitting thread because the queue was full
     * @param droppedUnavailable events dropped because the store was down and the buffer full (or still down at close)
     * @param queued             events in the queue
     * @param queueCapacity      the queue's capacity
     * @param aggregating        rejections counted into aggregates of seconds not yet closed
     * @param bufferedEvents     events waiting to be written (in a batch being formed, or buffered during an outage)
     * @param bufferedRecords    records those events make
     * @param bufferCapacity     the most records buffered
     * @param batches            batches written
     * @param failedWrites       writes that failed (each retried)
     * @param lastError          the last write error while the store is unavailable, else null
     */
    public record Status(String store, boolean storeAvailable, long offered, long written, long rowsWritten,
                         long droppedQueueFull, long droppedUnavailable, int queued, int queueCapacity, long aggregating,
                         long bufferedEvents, int bufferedRecords, int bufferCapacity, long batches, long failedWrites,
                         String lastError) implements ComponentStatus {

        /** All events dropped, for any reason. */
        public long dropped() {
            return droppedQueueFull + droppedUnavailable;
        }
    }

    /**
     * Stops recording: detaches from the telemetry, writes what is queued and buffered (retrying for
     * up to the close timeout while the store is down; what is still unwritten then is dropped and
     * counted) and stops the writer. Does not close the store. Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        telemetry.detach(handlerId);
        closeDeadline = System.nanoTime() + closeTimeoutNanos;
        closing = true;
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos) + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "EventRecorder[" + (store == null ? "no store" : store) + "]";
    }

    // ---------------------------------------------------------------- builder and module

    /** Builds an {@link EventRecorder} (as a module, or on a telemetry stream of your own); not thread-safe. */
    public static final class Builder {
        private BiFunction<Clock, Telemetry, EventStore> storeFactory;
        private boolean ownsStore = true;
        private String storeDescription = "file store in ./bulwark-events";
        private int queueCapacity = 16_384;
        private int batchSize = 1_024;
        private Duration flushInterval = Duration.ofMillis(200);
        private int maxBufferedRecords = 100_000;
        private Duration minBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private boolean keepRoutine;
        private boolean keepCallOutcomes;
        private boolean aggregate = true;
        private final Set<String> skipped = new LinkedHashSet<>();

        private Builder() {
        }

        /** Keep the events in a {@link FileEventStore} in {@code directory}, with its defaults (the default store, in {@code ./bulwark-events}). */
        public Builder fileStore(Path directory) {
            Objects.requireNonNull(directory, "directory");
            return fileStore(FileEventStore.builder(directory));
        }

        /** Keep the events in a {@link FileEventStore} configured by {@code store} (its clock and telemetry are set to the infrastructure's). */
        public Builder fileStore(FileEventStore.Builder store) {
            Objects.requireNonNull(store, "store");
            this.storeFactory = (clock, telemetry) -> store.clock(clock).telemetry(telemetry).build();
            this.ownsStore = true;
            this.storeDescription = "file store";
            return this;
        }

        /** Keep the events in PostgreSQL, as configured by {@code store}. */
        public Builder postgres(PostgresEventStore.Builder store) {
            Objects.requireNonNull(store, "store");
            this.storeFactory = (clock, telemetry) -> store.clock(clock).telemetry(telemetry).build();
            this.ownsStore = true;
            this.storeDescription = "postgresql store";
            return this;
        }

        /** Keep the events in a store built elsewhere; the recorder does not close it. */
        public Builder store(EventStore store) {
            Objects.requireNonNull(store, "store");
            this.storeFactory = (clock, telemetry) -> store;
            this.ownsStore = false;
            this.storeDescription = store.toString();
            return this;
        }

        /** The capacity of the queue between the emitting threads and the writer (default 16384; rounded up to a power of two). */
        public Builder queueCapacity(int events) {
            if (events < 2 || events > (1 << 26)) {
                throw new IllegalArgumentException("queueCapacity must be in [2, 2^26], was " + events);
            }
            this.queueCapacity = events;
            return this;
        }

        /** The most records in one write (default 1024). */
        public Builder batchSize(int records) {
            if (records < 1 || records > 1_000_000) {
                throw new IllegalArgumentException("batchSize must be in [1, 1000000], was " + records);
            }
            this.batchSize = records;
            return this;
        }

        /** The longest a record waits for its batch to fill (default 200 ms). */
        public Builder flushInterval(Duration interval) {
            this.flushInterval = positive("flushInterval", interval);
            return this;
        }

        /** The most records held while the store is down (default 100000); beyond, new ones are dropped and counted. */
        public Builder maxBufferedRecords(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("maxBufferedRecords must be positive, was " + records);
            }
            this.maxBufferedRecords = records;
            return this;
        }

        /** The backoff between write attempts while the store is down: from {@code min}, doubling, up to {@code max} (default 100 ms to 10 s). */
        public Builder retryBackoff(Duration min, Duration max) {
            positive("min", min);
            positive("max", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("retryBackoff max must be >= min, was min=" + min + " max=" + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** How long {@code close()} keeps retrying a store that is down before it drops what is left (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative, was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Also record the events of every protected call ({@code circuit_breaker.call_executed},
         * {@code protection_executed}): their failures are kept one by one and rejected outcomes
         * aggregated; successes are still skipped. The emitting thread then builds those events on
         * every call (docs/eventstore.md gives the cost).
         */
        public Builder keepCallOutcomes() {
            this.keepCallOutcomes = true;
            return this;
        }

        /** Record everything, routine successes of every call included ({@link #keepCallOutcomes()} and more): many records; meters count them better. */
        public Builder keepRoutineEvents() {
            this.keepRoutine = true;
            this.keepCallOutcomes = true;
            return this;
        }

        /** Keep rejections one by one instead of per-second aggregates. */
        public Builder keepRejectionsOneByOne() {
            this.aggregate = false;
            return this;
        }

        /** Never keep the events of this name (after the telemetry prefix, e.g. {@code retry.retry_scheduled}); the recorder does not even subscribe to it. */
        public Builder skip(String dottedSuffix) {
            EventName.parse(Objects.requireNonNull(dottedSuffix, "dottedSuffix"));
            this.skipped.add(dottedSuffix);
            return this;
        }

        /**
         * The recorder as a module: installed with {@code Infrastructure.builder().install(...)}, it
         * registers the 74xx codes and the module's events, opens the store on the infrastructure's
         * clock and telemetry (registered as {@value #STORE_COMPONENT_NAME}: {@code infra.component(EventStore.class)}),
         * attaches to every event under the prefix, and registers itself as {@value #COMPONENT_NAME}.
         * Closing the infrastructure flushes the recorder, then closes the store.
         */
        public BulwarkModule asModule() {
            Builder configured = this;
            return new BulwarkModule() {
                @Override
                public String name() {
                    return COMPONENT_NAME;
                }

                @Override
                public void install(ModuleContext context) {
                    context.errorCodes().register(EventStoreErrorCode.class);
                    EventRecorder recorder = configured.start(context.telemetry(), context.clock(), store -> {
                        context.register(STORE_COMPONENT_NAME, store, store::status, configured.ownsStore ? store : null);
                    });
                    context.register(COMPONENT_NAME, recorder, recorder::status, recorder);
                }

                @Override
                public String toString() {
                    return "EventRecorder module[" + configured.storeDescription + "]";
                }
            };
        }

        /**
         * Starts a recorder on a telemetry stream of your own (without an {@code Infrastructure}).
         * Close the recorder, then the store ({@link EventRecorder#store()}) if it was built here.
         */
        public EventRecorder start(Telemetry telemetry, Clock clock) {
            return start(telemetry, clock, store -> { });
        }

        private EventRecorder start(Telemetry telemetry, Clock clock, java.util.function.Consumer<EventStore> opened) {
            Objects.requireNonNull(telemetry, "telemetry");
            Objects.requireNonNull(clock, "clock");
            if (storeFactory == null) {
                fileStore(Path.of("bulwark-events"));
            }
            EventRecorder recorder = new EventRecorder(this, telemetry, clock);   // attached: recovery events are queued
            EventStore store;
            try {
                store = storeFactory.apply(clock, telemetry);
                opened.accept(store);
            } catch (RuntimeException | Error e) {
                telemetry.detach(recorder.handlerId);
                throw e;
            }
            recorder.start(store);
            return recorder;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
