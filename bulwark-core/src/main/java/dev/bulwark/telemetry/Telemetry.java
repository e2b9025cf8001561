package dev.bulwark.telemetry;

import dev.bulwark.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Bulwark's event stream, modelled on Erlang's {@code :telemetry}: components emit named events
 * with numeric measurements and free-form metadata; applications {@link #attach attach} handlers
 * to the names they care about.
 *
 * <p><b>Names.</b> Every Bulwark event starts with a configurable prefix (default
 * {@code foundation.infra}); {@link #name(EventName)} adds it to a suffix from {@link Events}.
 *
 * <p><b>Isolation.</b> A handler that throws — anything, a {@link VirtualMachineError} included —
 * is detached, counted ({@link #handlerFailures()}) and a {@code telemetry.handler.failure} event is
 * emitted; the emitting code never sees the throwable, and the asynchronous dispatcher thread
 * outlives it.
 *
 * <p><b>Cost.</b> Emitting an event nobody listens to is one volatile read through its
 * {@link EventChannel} and allocates nothing. With {@link DispatchMode#ASYNCHRONOUS} dispatch,
 * events go through a bounded queue to one daemon thread; a full queue drops the event and counts
 * it, the emitter never waits.
 *
 * <p>Thread-safe: attach, detach and emit may run concurrently; an emit sees either the handler
 * set before or after a concurrent attach, never a torn one.
 */
public final class Telemetry implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Telemetry.class.getName());

    private final EventName prefix;
    private final Clock clock;
    private final AsyncDispatcher async;
    private final ConcurrentHashMap<EventName, EventChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private final Object attachLock = new Object();
    private final LongAdder handlerFailures = new LongAdder();
    private final EventChannel failureChannel;
    private final ConcurrentHashMap<EventName, EventType> declarations = new ConcurrentHashMap<>();

    private Telemetry(Builder b) {
        this.prefix = b.prefix;
        this.clock = b.clock;
        this.async = b.mode == DispatchMode.ASYNCHRONOUS ? new AsyncDispatcher(b.queueCapacity) : null;
        this.failureChannel = channel(name(Events.TELEMETRY_HANDLER_FAILURE));
        declare(Events.all());
    }

    /** Telemetry with the default prefix, synchronous dispatch and the system clock. */
    public static Telemetry create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The prefix of every event name, e.g. {@code foundation.infra}. */
    public EventName prefix() {
        return prefix;
    }

    /** The full name of a catalogue event: the prefix followed by {@code suffix}. */
    public EventName name(EventName suffix) {
        return prefix.append(suffix);
    }

    /** The full name of a declared event: the prefix followed by its suffix. */
    public EventName name(EventType type) {
        return prefix.append(Objects.requireNonNull(type, "type").suffix());
    }

    /** The channel of a declared event (see {@link #channel(EventName)}). */
    public EventChannel channel(EventType type) {
        return channel(name(type));
    }

    /**
     * Declares events a module emits, so that consumers find their units and tags with
     * {@link #declaration(EventName)}; core's events ({@link Events#all()}) are declared already.
     * Declaring the same event again is a no-op.
     *
     * @throws IllegalStateException if another declaration has the same name
     */
    public void declare(List<EventType> types) {
        Objects.requireNonNull(types, "types");
        for (int i = 0; i < types.size(); i++) {
            EventType type = Objects.requireNonNull(types.get(i), "types[" + i + "]");
            EventType previous = declarations.putIfAbsent(name(type), type);
            if (previous != null && previous != type) {
                throw new IllegalStateException("event " + name(type) + " is already declared");
            }
        }
    }

    /** The declaration of an event by its full name, if it was declared. */
    public java.util.Optional<EventType> declaration(EventName fullName) {
        return java.util.Optional.ofNullable(declarations.get(Objects.requireNonNull(fullName, "fullName")));
    }

    /** Every declared event. */
    public List<EventType> declarations() {
        return List.copyOf(declarations.values());
    }

    /** The channel of a full event name; the same instance for the same name. */
    public EventChannel channel(EventName fullName) {
        Objects.requireNonNull(fullName, "fullName");
        EventChannel channel = channels.get(fullName);
        if (channel != null) {
            return channel;
        }
        synchronized (attachLock) {
            return channels.computeIfAbsent(fullName, n -> {
                EventChannel created = new EventChannel(this, n);
                created.handlers(matching(n));
                return created;
            });
        }
    }

    /**
     * Attaches {@code handler} under {@code handlerId} to the exact event names given.
     *
     * @throws IllegalArgumentException if a handler with this id is already attached, or no event is given
     * @throws NullPointerException     if an argument or an event is null (the message names which)
     */
    public void attach(String handlerId, List<EventName> events, TelemetryHandler handler) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("attach '" + handlerId + "': events must not be empty");
        }
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == null) {
                throw new NullPointerException("events[" + i + "] must not be null");
            }
        }
        register(new Registration(requireId(handlerId), Set.copyOf(new LinkedHashSet<>(events)), null,
                Objects.requireNonNull(handler, "handler")));
    }

    /** Attaches {@code handler} to one exact event name. */
    public void attach(String handlerId, EventName event, TelemetryHandler handler) {
        attach(handlerId, List.of(Objects.requireNonNull(event, "event")), handler);
    }

    /**
     * Attaches {@code handler} to every event whose name starts with {@code namePrefix}, e.g.
     * {@code foundation.infra.circuit_breaker} for all breaker events, or {@link #prefix()} for all.
     *
     * @throws IllegalArgumentException if a handler with this id is already attached
     */
    public void attachPrefix(String handlerId, EventName namePrefix, TelemetryHandler handler) {
        register(new Registration(requireId(handlerId), Set.of(), Objects.requireNonNull(namePrefix, "namePrefix"),
                Objects.requireNonNull(handler, "handler")));
    }

    /**
     * Attaches {@code handler} to every event whose name starts with {@code namePrefix} except the
     * names in {@code except}: the channels of those names stay inactive for this handler, so an
     * emitter that finds no other listener builds nothing for them (an event recorder leaves out
     * the per-call events this way, and a successful call costs nothing more with it attached).
     *
     * @throws IllegalArgumentException if a handler with this id is already attached
     */
    public void attachPrefix(String handlerId, EventName namePrefix, Set<EventName> except, TelemetryHandler handler) {
        register(new Registration(requireId(handlerId), Set.of(), Objects.requireNonNull(namePrefix, "namePrefix"),
                Set.copyOf(Objects.requireNonNull(except, "except")), Objects.requireNonNull(handler, "handler")));
    }

    /** Detaches a handler; returns false if none had that id. */
    public boolean detach(String handlerId) {
        synchronized (attachLock) {
            Registration removed = registrations.remove(handlerId);
            if (removed == null) {
                return false;
            }
            removed.detached = true;
            recomputeChannels();
            return true;
        }
    }

    /** The ids of attached handlers, in attach order. */
    public List<String> handlerIds() {
        synchronized (attachLock) {
            return List.copyOf(registrations.keySet());
        }
    }

    /** Whether any handler listens to {@code fullName}. */
    public boolean isListening(EventName fullName) {
        return channel(fullName).isActive();
    }

    /** Emits an event by full name (see {@link EventChannel#emit} for the allocation-free form). */
    public void execute(EventName fullName, Map<String, Number> measurements, Map<String, Object> metadata) {
        channel(fullName).emit(measurements, metadata);
    }

    /**
     * Runs {@code body} between {@code <prefix>.start} and {@code <prefix>.stop} events; if it
     * throws, emits {@code <prefix>.exception} (metadata {@code kind}, {@code reason}) and rethrows.
     * Stop and exception carry {@code duration}, monotonic nanoseconds from the clock. Start
     * carries {@code monotonic_time} and {@code system_time} (epoch ms).
     */
    public <T> T span(EventName spanPrefix, Map<String, Object> metadata, Supplier<T> body) {
        Objects.requireNonNull(spanPrefix, "spanPrefix");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(body, "body");
        EventChannel start = channel(spanPrefix.append("start"));
        EventChannel stop = channel(spanPrefix.append("stop"));
        EventChannel exception = channel(spanPrefix.append("exception"));
        long begin = clock.nanoTime();
        if (start.isActive()) {
            start.emit(Map.of("monotonic_time", begin, "system_time", clock.currentTimeMillis()), metadata);
        }
        T result;
        try {
            result = body.get();
        } catch (RuntimeException | Error e) {
            if (exception.isActive()) {
                Map<String, Object> md = new HashMap<>(metadata);
                md.put("kind", e.getClass().getName());
                md.put("reason", String.valueOf(e.getMessage()));
                exception.emit(Map.of("duration", clock.nanoTime() - begin), Map.copyOf(md));
            }
            throw e;
        }
        if (stop.isActive()) {
            stop.emit(Map.of("duration", clock.nanoTime() - begin), metadata);
        }
        return result;
    }

    /** Events dropped because the asynchronous queue was full (always 0 for synchronous dispatch). */
    public long droppedEvents() {
        return async == null ? 0 : async.dropped();
    }

    /** Handlers detached because they threw. */
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    /** The dispatch mode. */
    public DispatchMode dispatchMode() {
        return async == null ? DispatchMode.SYNCHRONOUS : DispatchMode.ASYNCHRONOUS;
    }

    /** Stops the dispatcher thread (after delivering what is queued, for up to a second). Idempotent. */
    @Override
    public void close() {
        if (async != null) {
            async.close();
        }
    }

    void dispatch(EventChannel channel, Registration[] handlers, Map<String, Number> measurements,
                  Map<String, Object> metadata) {
        if (async != null) {
            async.offer(channel, measurements, metadata);
        } else {
            deliver(channel.name(), handlers, measurements, metadata);
        }
    }

    boolean isAsynchronous() {
        return async != null;
    }

    /** A primitive emit: {@code second} is null for an event with one measurement. */
    void dispatch(EventChannel channel, Registration[] handlers, String first, long firstValue,
                  String second, long secondValue, Map<String, Object> metadata) {
        if (async != null) {
            async.offer(channel, measurements(first, firstValue, second, secondValue), metadata);
            return;
        }
        EventName name = channel.name();
        Map<String, Number> measurements = null;
        for (Registration r : handlers) {
            if (r.detached) {
                continue;
            }
            try {
                if (r.handler instanceof PrimitiveEventHandler primitive) {
                    primitive.handle(name, firstValue, metadata);
                } else {
                    if (measurements == null) {
                        measurements = measurements(first, firstValue, second, secondValue);
                    }
                    r.handler.handle(name, measurements, metadata);
                }
            } catch (Throwable t) {
                handlerFailed(r, name, t); // as in deliver: see there
            }
        }
    }

    private static Map<String, Number> measurements(String first, long firstValue, String second, long secondValue) {
        return second == null ? Map.of(first, firstValue) : Map.of(first, firstValue, second, secondValue);
    }

    void deliver(EventName name, Registration[] handlers, Map<String, Number> measurements,
                 Map<String, Object> metadata) {
        for (Registration r : handlers) {
            if (r.detached) {
                continue;
            }
            try {
                r.handler.handle(name, measurements, metadata);
            } catch (Throwable t) {
                // a VirtualMachineError too: the emitting thread is in the middle of a component's
                // bookkeeping (a transition, a timeout firing) that must finish; see docs/telemetry.md
                handlerFailed(r, name, t);
            }
        }
    }

    private void handlerFailed(Registration r, EventName event, Throwable t) {
        synchronized (attachLock) {
            if (registrations.get(r.id) != r) {
                return;
            }
            registrations.remove(r.id);
            r.detached = true;
            recomputeChannels();
        }
        handlerFailures.increment();
        LOG.log(t instanceof VirtualMachineError ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                "telemetry handler ''{0}'' threw on {1} and was detached: {2}", r.id, event, t.toString());
        if (failureChannel.isActive()) {
            failureChannel.emit(Map.of(), Map.of("handler_id", r.id, "event", event.toString(), "exception", t));
        }
    }

    private void register(Registration registration) {
        synchronized (attachLock) {
            if (registrations.containsKey(registration.id)) {
                throw new IllegalArgumentException("a telemetry handler with id '" + registration.id + "' is already attached");
            }
            registrations.put(registration.id, registration);
            recomputeChannels();
        }
    }

    private void recomputeChannels() {
        for (EventChannel channel : channels.values()) {
            channel.handlers(matching(channel.name()));
        }
    }

    private Registration[] matching(EventName name) {
        List<Registration> found = new ArrayList<>();
        for (Registration r : registrations.values()) {
            if (r.matches(name)) {
                found.add(r);
            }
        }
        return found.isEmpty() ? EventChannel.NONE : found.toArray(new Registration[0]);
    }

    private static String requireId(String handlerId) {
        if (handlerId == null || handlerId.isBlank()) {
            throw new IllegalArgumentException("handlerId must be non-blank, was '" + handlerId + "'");
        }
        return handlerId;
    }

    /** Builds a {@link Telemetry}; not thread-safe. */
    public static final class Builder {
        /** The largest queue of asynchronous dispatch: 1,048,576 events. */
        public static final int MAX_QUEUE_CAPACITY = 1 << 20;

        private EventName prefix = Events.DEFAULT_PREFIX;
        private Clock clock = Clock.system();
        private DispatchMode mode = DispatchMode.SYNCHRONOUS;
        private int queueCapacity = 8192;

        private Builder() {
        }

        /** The prefix of every event, e.g. {@code "elixir_scope.foundation.infra"}. */
        public Builder prefix(String dottedPrefix) {
            this.prefix = EventName.parse(dottedPrefix);
            return this;
        }

        public Builder prefix(EventName prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** The clock for span durations. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Synchronous dispatch (the default). */
        public Builder synchronous() {
            this.mode = DispatchMode.SYNCHRONOUS;
            return this;
        }

        /**
         * Asynchronous dispatch through a bounded queue of {@code queueCapacity} events, at most
         * {@value #MAX_QUEUE_CAPACITY} (the queue is allocated when the telemetry is built: about
         * 4 bytes per place, 4 MB at the largest).
         *
         * @throws IllegalArgumentException if {@code queueCapacity} is outside [1, {@value #MAX_QUEUE_CAPACITY}]
         */
        public Builder asynchronous(int queueCapacity) {
            if (queueCapacity <= 0 || queueCapacity > MAX_QUEUE_CAPACITY) {
                throw new IllegalArgumentException("queueCapacity must be between 1 and " + MAX_QUEUE_CAPACITY
                        + ", was " + queueCapacity);
            }
            this.mode = DispatchMode.ASYNCHRONOUS;
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Telemetry build() {
            return new Telemetry(this);
        }
    }

    private final class AsyncDispatcher implements Runnable {
        private final java.util.concurrent.ArrayBlockingQueue<Object[]> queue;
        private final LongAdder dropped = new LongAdder();
        private final Thread thread;
        private volatile boolean closing;

        AsyncDispatcher(int capacity) {
            this.queue = new java.util.concurrent.ArrayBlockingQueue<>(capacity);
            this.thread = new Thread(this, "bulwark-telemetry-dispatcher");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        void offer(EventChannel channel, Map<String, Number> measurements, Map<String, Object> metadata) {
            if (closing || !queue.offer(new Object[] {channel, measurements, metadata})) {
                dropped.increment();
            }
        }

        long dropped() {
            return dropped.sum();
        }

        @Override
        @SuppressWarnings("unchecked")
        public void run() {
            while (true) {
                Object[] item;
                try {
                    item = closing ? queue.poll() : queue.take();
                } catch (InterruptedException e) {
                    if (closing) {
                        continue;
                    }
                    return;
                }
                if (item == null) {
                    return;
                }
                EventChannel channel = (EventChannel) item[0];
                try {
                    deliver(channel.name(), channel.handlers(), (Map<String, Number>) item[1], (Map<String, Object>) item[2]);
                } catch (Throwable t) {
                    // deliver isolates handlers; this is reporting a failure failing (out of memory
                    // while logging, say): the dispatcher must outlive it, or telemetry goes dead
                    handlerFailures.increment();
                }
            }
        }

        void close() {
            if (closing) {
                return;
            }
            closing = true;
            thread.interrupt();
            try {
                thread.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
