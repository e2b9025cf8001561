package dev.bulwark.internal.health;

import dev.bulwark.health.Health;
import dev.bulwark.health.HealthCheck;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.health.HealthRegistry;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.health.Heartbeat;
import dev.bulwark.health.RegisteredCheck;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Names;
import dev.bulwark.spi.RegistryListeners;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@link HealthRegistry} of one {@code Infrastructure}.
 *
 * <p><b>Design.</b> Two kinds of entries. A <em>timed</em> entry wraps a registered
 * {@link HealthCheck}: it keeps its latest result ({@link Cached}, one immutable object swapped as
 * a whole) and at most one {@link Run} in flight. A report reads the result; when it is older than
 * the TTL, it starts a run (a compare-and-set on the in-flight slot, so concurrent reports start
 * one) and returns the old result meanwhile ("stale while revalidate"): no report ever waits for a
 * check. The timeout is a deadline on the clock that each report compares with the run's start: a
 * report made after it records DOWN and interrupts the run. (No timer task is needed: a result only
 * matters when someone asks for a report, and a test on a {@code ManualClock} sees the timeout as
 * soon as it advances the clock past it, with nothing queued on the clock.) A timed-out run's late
 * result is dropped, and the slot stays taken until it returns, so a check that never returns
 * holds one thread, not one per TTL. Completion and timeout settle under the entry's lock.
 *
 * <p>A <em>state</em> entry is one of core's: a supplier reading in-memory state (a breaker's
 * state, the memory level, a heartbeat), evaluated by every report on the probing thread.
 *
 * <p>Reports of one group are made under that group's lock, so that the change detection
 * ({@code health.status_changed}) compares each report with the one before it; the latest report
 * is stored before the event is emitted, so a handler that asks for a report again sees no change.
 */
public final class HealthRegistryImpl implements HealthRegistry, AutoCloseable {

    private static final HealthGroup[] READINESS_ONLY = {HealthGroup.READINESS};

    private final Clock clock;
    private final Executor executor;
    private final HealthCheckConfig checkDefaults;
    private final ConcurrentSkipListMap<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<HealthGroup, GroupState> groups = new ConcurrentHashMap<>();
    private final Set<String> criticalBreakers = new ConcurrentSkipListSet<>();
    private final RegistryListeners<RegisteredCheck> listeners = new RegistryListeners<>("health checks");
    private final EventChannel changedChannel;
    private volatile boolean closed;

    /**
     * A registry on {@code clock} (results' ages, run durations, timeouts) and {@code executor}
     * (runs), emitting to {@code telemetry}.
     */
    public HealthRegistryImpl(Clock clock, Executor executor, Telemetry telemetry, HealthConfig config) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.checkDefaults = config.checkDefaults();
        this.criticalBreakers.addAll(config.criticalBreakers());
        this.changedChannel = telemetry.channel(Events.HEALTH_STATUS_CHANGED);
    }

    // ------------------------------------------------------------------ registering

    @Override
    public Subscription register(String name, HealthCheck check, HealthGroup... groups) {
        return register(name, check, checkDefaults, groups);
    }

    @Override
    public Subscription register(String name, HealthCheck check, HealthCheckConfig config, HealthGroup... groups) {
        requireName(name);
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(config, "config");
        Set<HealthGroup> in = groupsOf(name, groups);
        if (in.contains(HealthGroup.LIVENESS)) {
            throw new IllegalArgumentException("health check '" + name + "' cannot join liveness: liveness reports"
                    + " only the process itself (core's deadlock, scheduler and memory checks, and heartbeats);"
                    + " a failing liveness probe restarts the process, which never repairs a dependency."
                    + " Register it in readiness, or feed a heartbeat from your own loop (docs/health.md)");
        }
        return add(new TimedEntry(name, in, false, check, config));
    }

    /**
     * Registers one of core's checks that blocks or is slow (deadlock detection, the scheduler
     * probe): run off the probing thread, timed and cached like any other, and allowed in liveness.
     */
    public Subscription registerCore(String name, HealthCheck check, HealthCheckConfig config, HealthGroup... groups) {
        Objects.requireNonNull(name, "name");
        return add(new TimedEntry(name, groupsOf(name, groups), true, check, config));
    }

    /**
     * Registers one of core's state checks: {@code state} reads in-memory state and must not block;
     * every report evaluates it on the probing thread. Allowed in liveness.
     */
    public Subscription registerState(String name, Supplier<Health> state, HealthGroup... groups) {
        Objects.requireNonNull(name, "name");   // a breaker's check name may pass 255: circuit_breaker. + its name
        return add(new StateEntry(name, groupsOf(name, groups), true, Objects.requireNonNull(state, "state")));
    }

    @Override
    public boolean remove(String name) {
        Entry entry = name == null ? null : entries.get(name);
        if (entry == null) {
            return false;
        }
        if (entry.registration.core()) {
            throw new IllegalArgumentException("health check '" + name + "' is one of core's and cannot be removed"
                    + " (a breaker's check goes when the breaker is removed)");
        }
        return removeEntry(entry);
    }

    @Override
    public Heartbeat heartbeat(String name, Duration maxSilence) {
        requireName(name);
        Objects.requireNonNull(maxSilence, "maxSilence");
        if (maxSilence.isZero() || maxSilence.isNegative()) {
            throw new IllegalArgumentException("maxSilence of heartbeat '" + name + "' must be positive, was " + maxSilence);
        }
        HeartbeatImpl heartbeat = new HeartbeatImpl(name, maxSilence);
        heartbeat.subscription = add(new StateEntry(name, Set.of(HealthGroup.LIVENESS), false, heartbeat::health));
        return heartbeat;
    }

    private Subscription add(Entry entry) {
        if (closed) {
            throw new IllegalStateException("the health registry is closed; cannot register '" + entry.name() + "'");
        }
        Entry earlier = entries.putIfAbsent(entry.name(), entry);
        if (earlier != null) {
            throw new IllegalArgumentException("a health check named '" + entry.name() + "' is registered already: "
                    + earlier.registration);
        }
        listeners.fireAdded(entry.name(), entry.registration);
        entry.warmUp(clock.nanoTime());
        return () -> removeEntry(entry);
    }

    private boolean removeEntry(Entry entry) {
        if (!entries.remove(entry.name(), entry)) {
            return false;
        }
        entry.cancel();
        listeners.fireRemoved(entry.name(), entry.registration);
        return true;
    }

    // ------------------------------------------------------------------ reporting

    @Override
    public HealthReport liveness() {
        return report(HealthGroup.LIVENESS);
    }

    @Override
    public HealthReport readiness() {
        return report(HealthGroup.READINESS);
    }

    @Override
    public HealthReport report(HealthGroup group) {
        Objects.requireNonNull(group, "group");
        GroupState state = groups.computeIfAbsent(group, GroupState::new);
        synchronized (state) {
            long now = clock.nanoTime();
            Instant at = clock.instant();
            List<HealthReport.Check> checks = new ArrayList<>();
            for (Entry entry : entries.values()) {
                if (entry.groups.contains(group)) {
                    checks.add(entry.current(now, at));
                }
            }
            HealthReport report = HealthReport.of(group, checks, at);
            HealthReport previous = state.latest;
            state.latest = report;
            HealthStatus from = previous == null ? HealthStatus.UNKNOWN : previous.status();
            if (from != report.status() && changedChannel.isActive()) {
                changedChannel.emit(Map.of(), Map.of(EventKeys.GROUP, group.name(), EventKeys.FROM, from.label(),
                        EventKeys.TO, report.status().label(), EventKeys.CHECK, culprit(previous, report)));
            }
            return report;
        }
    }

    /**
     * The check whose change moved the status: among the checks whose status differs from the
     * previous report (or that came or went), first one now at the new status (when it got worse) or
     * one that was at the old status (when it got better), else the first that changed.
     */
    static String culprit(HealthReport previous, HealthReport current) {
        Map<String, HealthReport.Check> before = previous == null ? Map.of() : previous.checks();
        HealthStatus from = previous == null ? HealthStatus.UNKNOWN : previous.status();
        boolean worse = current.status().compareTo(from) > 0;
        String firstChanged = null;
        Set<String> names = new TreeSet<>(before.keySet());
        names.addAll(current.checks().keySet());
        for (String name : names) {
            HealthReport.Check was = before.get(name);
            HealthReport.Check now = current.checks().get(name);
            HealthStatus wasStatus = was == null ? null : was.status();
            HealthStatus nowStatus = now == null ? null : now.status();
            if (wasStatus == nowStatus) {
                continue;
            }
            if (worse ? nowStatus == current.status() : wasStatus == from) {
                return name;
            }
            if (firstChanged == null) {
                firstChanged = name;
            }
        }
        return firstChanged != null ? firstChanged : "";
    }

    @Override
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    // ------------------------------------------------------------------ breakers

    @Override
    public boolean markCritical(String breakerName) {
        if (breakerName == null || breakerName.isBlank()) {
            throw new IllegalArgumentException("breaker name must be non-blank, was "
                    + (breakerName == null ? "null" : "'" + breakerName + "'"));
        }
        return criticalBreakers.add(breakerName);
    }

    @Override
    public boolean unmarkCritical(String breakerName) {
        return breakerName != null && criticalBreakers.remove(breakerName);
    }

    @Override
    public Set<String> criticalBreakers() {
        return Collections.unmodifiableSet(new TreeSet<>(criticalBreakers));
    }

    /** Whether the breaker of that name is marked critical. */
    public boolean isCritical(String breakerName) {
        return criticalBreakers.contains(breakerName);
    }

    @Override
    public HealthCheckConfig checkDefaults() {
        return checkDefaults;
    }

    @Override
    public Subscription subscribe(RegistryListener<? super RegisteredCheck> listener) {
        Objects.requireNonNull(listener, "listener");
        return listeners.subscribe(listener, () -> {
            Map<String, RegisteredCheck> present = new LinkedHashMap<>();
            entries.forEach((name, entry) -> present.put(name, entry.registration));
            return present;
        });
    }

    @Override
    public Status status() {
        List<RegisteredCheck> checks = new ArrayList<>();
        entries.values().forEach(e -> checks.add(e.registration));
        Map<String, HealthStatus> latest = new LinkedHashMap<>();
        groups.forEach((group, state) -> {
            HealthReport report = state.latest;
            if (report != null) {
                latest.put(group.name(), report.status());
            }
        });
        return new Status(checks, latest);
    }

    /** Stops every run in flight; later registrations throw. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Entry entry : entries.values()) {
            entry.cancel();
        }
    }

    @Override
    public String toString() {
        return "HealthRegistry" + entries.keySet();
    }

    // ------------------------------------------------------------------ helpers

    private static void requireName(String name) {
        Names.require("health check name", name);
    }

    private static Set<HealthGroup> groupsOf(String name, HealthGroup[] groups) {
        HealthGroup[] given = Objects.requireNonNull(groups, "groups").length == 0 ? READINESS_ONLY : groups;
        Set<HealthGroup> in = new LinkedHashSet<>();
        for (HealthGroup g : given) {
            in.add(Objects.requireNonNull(g, "group of health check '" + name + "' (" + Arrays.toString(groups) + ")"));
        }
        return Set.copyOf(in);
    }

    static Health failed(Throwable t) {
        String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return Health.of(HealthStatus.DOWN).withDetail(Health.ERROR, message).withDetail(Health.EXCEPTION, t.getClass().getName());
    }

    /** The reports of one group: the latest, to tell whether the next one changed. */
    private static final class GroupState {
        final HealthGroup group;
        HealthReport latest;

        GroupState(HealthGroup group) {
            this.group = group;
        }

        @Override
        public String toString() {
            return "GroupState[" + group + "]";
        }
    }

    private abstract static class Entry {
        final Set<HealthGroup> groups;
        final RegisteredCheck registration;

        Entry(RegisteredCheck registration) {
            this.registration = registration;
            this.groups = registration.groups();
        }

        String name() {
            return registration.name();
        }

        /** The result a report made at {@code now} (clock nanos) / {@code at} (wall) shows. */
        abstract HealthReport.Check current(long now, Instant at);

        /** Starts the first run, if the entry runs at all. */
        void warmUp(long now) {
        }

        /** Stops what is in flight; the entry was removed. */
        void cancel() {
        }
    }

    /** One of core's in-memory checks, evaluated by every report. */
    private static final class StateEntry extends Entry {
        private final Supplier<Health> state;

        StateEntry(String name, Set<HealthGroup> groups, boolean core, Supplier<Health> state) {
            super(new RegisteredCheck(name, groups, null, core));
            this.state = state;
        }

        @Override
        HealthReport.Check current(long now, Instant at) {
            Health health;
            try {
                health = state.get();
                if (health == null) {
                    health = Health.down("the check returned null");
                }
            } catch (RuntimeException e) {
                health = failed(e);
            }
            return HealthReport.Check.of(name(), health, Duration.ZERO, at);
        }
    }

    /** A result and when it was obtained, swapped as a whole. */
    private record Cached(HealthReport.Check check, long atNanos, boolean finished) {
    }

    /** One run of a timed check. */
    private static final class Run {
        static final int NEW = 0;
        static final int RUNNING = 1;
        static final int ABANDONED = 2;

        final long startNanos;
        final AtomicInteger state = new AtomicInteger(NEW);
        volatile FutureTask<Void> task;
        /** Set (under the entry's lock) when the timeout reported the run DOWN. */
        boolean timedOut;

        Run(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    /** A registered check: run on the executor, timed, cached for its TTL. */
    private final class TimedEntry extends Entry {
        private final HealthCheck check;
        private final long timeoutNanos;
        private final long ttlNanos;
        private final AtomicReference<Run> inFlight = new AtomicReference<>();
        private volatile Cached cached;
        private volatile boolean removed;

        TimedEntry(String name, Set<HealthGroup> groups, boolean core, HealthCheck check, HealthCheckConfig config) {
            super(new RegisteredCheck(name, groups, Objects.requireNonNull(config, "config"), core));
            this.check = Objects.requireNonNull(check, "check");
            this.timeoutNanos = config.timeout().toNanos();
            this.ttlNanos = config.ttl().toNanos();
            this.cached = new Cached(HealthReport.Check.unknown(name), 0L, false);
        }

        @Override
        void warmUp(long now) {
            start(now);
        }

        @Override
        HealthReport.Check current(long now, Instant at) {
            Run run = inFlight.get();
            if (run != null && now - run.startNanos >= timeoutNanos) {
                timeOut(run);
            }
            Cached c = cached;
            if (!c.finished || now - c.atNanos >= ttlNanos) {
                start(now);
                c = cached;   // with a direct executor the run has finished already
            }
            return c.check;
        }

        private void start(long now) {
            if (removed || closed) {
                return;
            }
            Run run = new Run(now);
            if (!inFlight.compareAndSet(null, run)) {
                return;   // one run at a time: a probe storm starts one
            }
            Cached c = cached;
            if (c.finished && now - c.atNanos < ttlNanos) {
                inFlight.compareAndSet(run, null);   // a run finished since the caller saw a stale result
                return;
            }
            run.task = new FutureTask<>(() -> {
                invoke(run);
                return null;
            });
            try {
                executor.execute(run.task);
            } catch (RejectedExecutionException e) {
                finish(run, failed(e).withDetail(Health.REASON, "the executor refused to run the check"), 0L);
            }
        }

        private void invoke(Run run) {
            if (!run.state.compareAndSet(Run.NEW, Run.RUNNING)) {
                return;
            }
            long begin = clock.nanoTime();
            Health health;
            try {
                health = check.check();
                if (health == null) {
                    health = Health.down("the check returned null");
                }
            } catch (VirtualMachineError fatal) {
                finish(run, failed(fatal), clock.nanoTime() - begin);
                throw fatal;
            } catch (InterruptedException e) {
                health = failed(e).withDetail(Health.REASON, "interrupted");
            } catch (Throwable t) {
                health = failed(t);
            }
            finish(run, health, clock.nanoTime() - begin);
        }

        /** The run returned (or could not start): its result becomes the latest, unless it timed out. */
        private void finish(Run run, Health health, long durationNanos) {
            synchronized (this) {
                if (inFlight.get() != run) {
                    return;
                }
                if (!run.timedOut && !removed) {   // a run reported DOWN at its timeout: a late answer is not news
                    cached = new Cached(HealthReport.Check.of(name(), health, Duration.ofNanos(durationNanos), clock.instant()),
                            clock.nanoTime(), true);
                }
                // only now, so that a report never sees neither a run in flight nor a fresh result (it would start another)
                inFlight.set(null);
            }
        }

        /** A report found the run still going past its timeout: DOWN, and interrupt it. */
        private void timeOut(Run run) {
            synchronized (this) {
                if (inFlight.get() != run || run.timedOut) {
                    return;
                }
                run.timedOut = true;
                Health down = Health.of(HealthStatus.DOWN)
                        .withDetail(Health.ERROR, "timed out after " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
                cached = new Cached(HealthReport.Check.of(name(), down, Duration.ofNanos(timeoutNanos), clock.instant()),
                        clock.nanoTime(), true);
                if (run.state.compareAndSet(Run.NEW, Run.ABANDONED)) {
                    inFlight.set(null);   // never started (the executor was busy): nothing to wait for
                }
            }
            FutureTask<Void> task = run.task;
            if (task != null) {
                task.cancel(true);
            }
        }

        @Override
        void cancel() {
            removed = true;
            Run run = inFlight.get();
            if (run != null) {
                FutureTask<Void> task = run.task;
                if (task != null) {
                    task.cancel(true);
                }
            }
        }
    }

    private final class HeartbeatImpl implements Heartbeat {
        private final String name;
        private final Duration maxSilence;
        private final long maxSilenceNanos;
        private volatile long lastBeat;
        volatile Subscription subscription;

        HeartbeatImpl(String name, Duration maxSilence) {
            this.name = name;
            this.maxSilence = maxSilence;
            this.maxSilenceNanos = maxSilence.toNanos();
            this.lastBeat = clock.nanoTime();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Duration maxSilence() {
            return maxSilence;
        }

        @Override
        public void beat() {
            lastBeat = clock.nanoTime();
        }

        Health health() {
            long silentNanos = clock.nanoTime() - lastBeat;
            long silentMillis = silentNanos / 1_000_000L;
            Health health = silentNanos > maxSilenceNanos
                    ? Health.down("no beat for " + silentMillis + " ms (at most " + maxSilence.toMillis() + " ms allowed)")
                    : Health.up();
            return health.withDetail("silent_ms", silentMillis);
        }

        @Override
        public void close() {
            Subscription s = subscription;
            if (s != null) {
                s.close();
            }
        }

        @Override
        public String toString() {
            return "Heartbeat[" + name + ", maxSilence=" + maxSilence + "]";
        }
    }
}
