package dev.bulwark.redis;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.circuit.State;
import dev.bulwark.redis.internal.KeyLayout;
import dev.bulwark.redis.internal.LuaScript;
import dev.bulwark.redis.internal.ScriptExecutor;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.Unit;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Fleet-wide breaker signals: the instances of a fleet tell each other, through Redis, when their
 * circuit breakers open and close, so that a dependency that is down for everyone is given up by
 * everyone quickly, and probed by the fleet with a bounded number of trial calls rather than by
 * every instance on its own. Opt-in; installed as a module, it follows the infrastructure's breaker
 * registry:
 *
 * <pre>{@code
 * Infrastructure infra = Infrastructure.builder()
 *         .install(FleetBreakers.builder()
 *                 .uri("redis://127.0.0.1:6379")                  // or .cluster(...)
 *                 .fleet("checkout")                              // the instances that act together
 *                 .quorum(FleetQuorum.instances(2).within(Duration.ofSeconds(10)))
 *                 .asModule())
 *         .build();
 * }</pre>
 *
 * <p><b>The local breaker stays authoritative.</b> Every breaker trips on its own calls, as without
 * the fleet; the fleet only ever <em>adds</em> openness, through the breaker's public
 * {@link CircuitBreaker#disable()} (its state is then {@code DISABLED}, calls are rejected with 5004,
 * reason {@code disabled}) and takes it back with {@link CircuitBreaker#enable()}. It never closes a
 * breaker that opened on its own, and never touches one disabled by hand. A breaker enabled by hand
 * while the fleet holds it is let go, and not forced open again until the fleet recovers or the
 * quorum lapses.
 *
 * <p><b>Quorum.</b> When the {@link FleetQuorum} is met (N instances, or P % of the live ones,
 * opened the same breaker on their own within T), the breakers of the other instances are forced
 * open ({@link Coordination#HELD_BY_QUORUM}). They stay so while the quorum's count of instances
 * still open holds, and are released when the fleet's trial succeeds (below) or too few remain
 * open. Instances the fleet forced open never count towards a quorum.
 *
 * <p><b>Coordinated trials</b> ({@link Builder#coordinateTrials}, on by default). An instance whose
 * breaker opens on its own asks Redis for the breaker's trial lease. The first one gets it and
 * recovers as it would alone (half-open, its configured trial calls); every other instance that
 * opens on its own holds its breaker open ({@link Coordination#HELD_FOR_TRIAL}) instead of sending
 * trials of its own. When the lease holder's trials succeed and its breaker closes, it announces the
 * recovery and every instance is released; when they fail, it re-opens and keeps the lease. So a
 * recovering dependency receives, per recovery round, the trial calls of one instance, not of every
 * instance. The bound holds when an instance learns of the lease before its own open duration ends
 * (one Redis round trip, normally milliseconds against an open duration of seconds); an instance
 * that learns later than that acts alone for that round. If the lease holder disappears, its lease
 * expires and an instance holding for it takes the lease over: that instance is released to closed
 * (the breaker's public API cannot put a breaker half-open), so its own trip policy bounds the calls
 * it sends before it opens again as the new lease holder.
 *
 * <p><b>Redis down: each breaker acts alone.</b> When no Redis call has succeeded for two sync
 * intervals, every breaker held by the fleet is released and every breaker acts on its own calls
 * only ({@link Coordination#LOCAL_ONLY} in the status); the fleet resumes by itself when Redis
 * answers again. A fleet signal never blocks a call: all Redis work runs on the fleet's own thread.
 *
 * <p><b>Signals.</b> State changes are seen at once through the breaker telemetry
 * ({@code circuit_breaker.state_change}; install the module, or give the builder the telemetry the
 * breakers emit to) and published on a pub/sub channel, so the other instances react within a few
 * round trips; every {@link Builder#syncInterval} each instance also reconciles every breaker with
 * Redis (a heartbeat that keeps it counted as live, and a catch-up when a message was missed). On a
 * Redis Cluster every key of a fleet shares one slot (the fleet's name is the hash tag).
 *
 * <p>Events: {@code fleet_breaker.forced_open}, {@code fleet_breaker.released},
 * {@code fleet_breaker.trial_lease}, {@code fleet_breaker.local_only},
 * {@code fleet_breaker.fleet_restored} ({@link #events()}). Thread-safe.
 */
public final class FleetBreakers implements AutoCloseable {

    /** The component name when installed as a module. */
    public static final String COMPONENT_NAME = "fleet_breakers";

    private static final String FLEET = "fleet";
    private static final String BREAKER_NAME = "the breaker's name";

    /** A breaker was forced open by the fleet. */
    public static final EventType FORCED_OPEN = EventType.builder("fleet_breaker", "forced_open")
            .description("the fleet forced a breaker open: a quorum of instances opened it, or another instance holds its trial lease")
            .measurement("open_instances", Unit.COUNT, "instances that had opened the breaker on their own")
            .measurement("live_instances", Unit.COUNT, "instances of the fleet alive")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .tag(EventKeys.REASON, "quorum or trial")
            .tag(FLEET, "the fleet's name")
            .build();
    /** A breaker forced open by the fleet was let go. */
    public static final EventType RELEASED = EventType.builder("fleet_breaker", "released")
            .description("the fleet let go of a breaker it had forced open")
            .measurement("held_ms", Unit.MILLISECONDS, "how long the fleet held it open")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .tag(EventKeys.REASON, "recovered, quorum_lost, redis_unreachable, took_over_trial, removed or closing")
            .tag(FLEET, "the fleet's name")
            .build();
    /** This instance holds the fleet's trial lease of a breaker. */
    public static final EventType TRIAL_LEASE = EventType.builder("fleet_breaker", "trial_lease")
            .description("this instance took the fleet's trial lease of a breaker: its trials speak for the fleet")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .tag(FLEET, "the fleet's name")
            .build();
    /** Redis is unreachable: every breaker acts alone. */
    public static final EventType LOCAL_ONLY = EventType.builder("fleet_breaker", "local_only")
            .description("no Redis call succeeded for two sync intervals: every breaker acts on its own calls only")
            .measurement("unreachable_ms", Unit.MILLISECONDS, "time since the last successful Redis call")
            .tag(FLEET, "the fleet's name")
            .build();
    /** Redis answers again: the fleet acts together again. */
    public static final EventType FLEET_RESTORED = EventType.builder("fleet_breaker", "fleet_restored")
            .description("Redis answers again after the fleet acted locally")
            .measurement("downtime_ms", Unit.MILLISECONDS, "how long the instance acted alone")
            .tag(FLEET, "the fleet's name")
            .build();

    private static final List<EventType> EVENTS = List.of(FORCED_OPEN, RELEASED, TRIAL_LEASE, LOCAL_ONLY, FLEET_RESTORED);

    /** The events fleet breakers emit (declared on the telemetry by the module and by {@link Builder#build}). */
    public static List<EventType> events() {
        return EVENTS;
    }

    static final LuaScript SCRIPT = LuaScript.fromResource(KeyLayout.class, "fleet.lua");

    /** How the fleet acts on one breaker of this instance right now. */
    public enum Coordination {
        /** Not held: the breaker follows its own calls, and the fleet may force it open. */
        FOLLOWING,
        /** Forced open because a quorum of instances opened it. */
        HELD_BY_QUORUM,
        /** Opened on its own, and held open while another instance makes the fleet's trial calls. */
        HELD_FOR_TRIAL,
        /** Redis is unreachable: the breaker acts alone. */
        LOCAL_ONLY
    }

    /**
     * One breaker as the fleet sees it from this instance.
     *
     * @param state                 the local breaker's state ({@code DISABLED} while held by the fleet)
     * @param coordination          how the fleet acts on it
     * @param trialLease            whether this instance holds the breaker's trial lease
     * @param liveInstances         instances of the fleet alive at the last sync
     * @param openInstances         instances that had opened it on their own at the last sync
     * @param recentlyOpenInstances of those, the ones that opened within the quorum's window
     */
    public record BreakerStatus(State state, Coordination coordination, boolean trialLease, long liveInstances,
                                long openInstances, long recentlyOpenInstances) {
    }

    /**
     * The status of fleet breakers on this instance; part of {@code infra.status()} once installed.
     *
     * @param fleet          the fleet's name
     * @param instanceId     this instance's id in the fleet
     * @param redisReachable false when no Redis call has succeeded for two sync intervals (every
     *                       breaker then acts alone)
     * @param subscribed     whether the signal channel is subscribed right now (without it, other
     *                       instances' changes are seen at the next sync)
     * @param breakers       each coordinated breaker, by name
     * @param forcedOpen     how many times the fleet forced a breaker of this instance open
     * @param signals        messages received from other instances
     * @param redisCalls     Redis calls made (syncs, reports)
     * @param redisFailures  of those, the ones that failed
     */
    public record Status(String fleet, String instanceId, boolean redisReachable, boolean subscribed,
                         Map<String, BreakerStatus> breakers, long forcedOpen, long signals, long redisCalls,
                         long redisFailures) implements ComponentStatus {
    }

    private enum Hold { NONE, QUORUM, TRIAL }

    /** What Redis said about one breaker at one call. */
    private record Reply(long nowMs, long live, long openTotal, long openRecent, String leaseHolder, long recoveredAtMs) {
        static final Reply NONE = new Reply(0, 0, 0, 0, "", 0);
    }

    /** One coordinated breaker; mutated on the fleet's thread only, read by {@link #status()}. */
    private final class Managed {
        final String name;
        final CircuitBreaker breaker;
        final String[] keys;
        volatile Hold hold = Hold.NONE;
        volatile boolean trialist;
        volatile Reply last = Reply.NONE;
        long heldSinceMs;
        long heldAtNanos;
        /** Successful calls counted when this instance, holding the lease, was last seen closed (-1: not closed). */
        long okWhenClosed = -1;
        boolean retryPending;
        /** When a hand enabled this breaker while the fleet held it (server ms), or -1. */
        long overriddenAtMs = -1;

        Managed(String name, CircuitBreaker breaker) {
            this.name = name;
            this.breaker = breaker;
            String base = keyPrefix + "{" + fleet + "}:";
            this.keys = new String[] {base + "alive", base + "open:" + name, base + "lease:" + name,
                    base + "recovered:" + name};
        }
    }

    private final String fleet;
    private final String instanceId;
    private final String keyPrefix;
    private final String channel;
    private final FleetQuorum quorum;
    private final boolean coordinateTrials;
    private final Duration syncInterval;
    private final long aliveTtlMs;
    private final Predicate<String> selection;
    private final CircuitBreakers registry;
    private final Telemetry telemetry;
    private final ScriptExecutor redis;
    private final ScheduledExecutorService worker;
    private final ConcurrentHashMap<String, Managed> managed = new ConcurrentHashMap<>();
    private final String handlerId;
    private final Subscription registrySubscription;

    private final EventChannel forcedOpenEvents;
    private final EventChannel releasedEvents;
    private final EventChannel trialLeaseEvents;
    private final EventChannel localOnlyEvents;
    private final EventChannel restoredEvents;

    private final LongAdder forcedOpen = new LongAdder();
    private final LongAdder signals = new LongAdder();
    private final LongAdder redisFailures = new LongAdder();
    private final LongAdder redisCalls = new LongAdder();
    /** Fleet thread only, except the volatile flags read by status(). */
    private long lastSuccessNanos = System.nanoTime();
    private volatile boolean localOnly;
    private volatile boolean closed;
    private boolean subscribing;

    private FleetBreakers(Builder b) {
        this.fleet = b.fleet;
        this.instanceId = b.instanceId != null ? b.instanceId
                : "i-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.keyPrefix = b.keyPrefix;
        this.channel = keyPrefix + "{" + fleet + "}:signals";
        this.quorum = b.quorum;
        this.coordinateTrials = b.coordinateTrials;
        this.syncInterval = b.syncInterval;
        this.aliveTtlMs = 3 * syncInterval.toMillis();
        this.selection = b.selection;
        this.registry = Objects.requireNonNull(b.circuitBreakers, "circuitBreakers");
        this.telemetry = Objects.requireNonNull(b.telemetry, "telemetry");
        telemetry.declare(EVENTS);
        this.forcedOpenEvents = telemetry.channel(FORCED_OPEN);
        this.releasedEvents = telemetry.channel(RELEASED);
        this.trialLeaseEvents = telemetry.channel(TRIAL_LEASE);
        this.localOnlyEvents = telemetry.channel(LOCAL_ONLY);
        this.restoredEvents = telemetry.channel(FLEET_RESTORED);
        this.redis = b.clusterSeeds != null
                ? ScriptExecutor.cluster(b.clusterSeeds, b.clientResources, b.connectTimeout, b.commandTimeout,
                        Duration.ofSeconds(10))
                : ScriptExecutor.singleNode(b.uri, b.clientResources, b.connectTimeout, b.commandTimeout);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "bulwark-fleet-" + fleet);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = executor;
        this.handlerId = "fleet-breakers-" + instanceId;
        telemetry.attach(handlerId, telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE), this::onStateChange);
        this.redis.connectInBackground();
        this.registrySubscription = registry.subscribe(new RegistryListener<>() {
            @Override
            public void added(String name, CircuitBreaker breaker) {
                if (selection.test(name)) {
                    managed.put(name, new Managed(name, breaker));
                    submit(() -> sync(managed.get(name)));
                }
            }

            @Override
            public void removed(String name, CircuitBreaker breaker) {
                Managed gone = managed.remove(name);
                if (gone != null) {
                    submit(() -> {
                        if (gone.hold != Hold.NONE) {
                            release(gone, "removed");   // whoever still holds the instance gets it back working
                        }
                        leave(gone);
                    });
                }
            }
        });
        long periodNanos = syncInterval.toNanos();
        worker.scheduleAtFixedRate(this::syncAll, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        submit(this::subscribe);
    }

    /** A builder: {@code redis://127.0.0.1:6379}, fleet {@code default}, {@link FleetQuorum#DEFAULT}, trials coordinated. */
    public static Builder builder() {
        return new Builder();
    }

    /** This instance's id in the fleet. */
    public String instanceId() {
        return instanceId;
    }

    /** A snapshot of how the fleet acts on every coordinated breaker of this instance. */
    public Status status() {
        Map<String, BreakerStatus> breakers = new TreeMap<>();
        boolean alone = localOnly;
        for (Managed m : managed.values()) {
            Reply r = m.last;
            Coordination c = alone ? Coordination.LOCAL_ONLY : switch (m.hold) {
                case NONE -> Coordination.FOLLOWING;
                case QUORUM -> Coordination.HELD_BY_QUORUM;
                case TRIAL -> Coordination.HELD_FOR_TRIAL;
            };
            breakers.put(m.name, new BreakerStatus(m.breaker.state(), c, m.trialist && !alone, r.live, r.openTotal,
                    r.openRecent));
        }
        return new Status(fleet, instanceId, !alone, redis.isSubscribed(), Map.copyOf(breakers), forcedOpen.sum(),
                signals.sum(), redisCalls.sum(), redisFailures.sum());
    }

    /**
     * Stops following the registry, releases every breaker the fleet holds open, withdraws this
     * instance from the fleet in Redis (best effort) and closes the connections.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registrySubscription.close();
        telemetry.detach(handlerId);
        try {
            worker.submit(() -> {
                for (Managed m : managed.values()) {
                    if (m.hold != Hold.NONE) {
                        release(m, "closing");
                    }
                    leave(m);
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: Redis forgets this instance after the alive timeout anyway
        }
        worker.shutdownNow();
        redis.close();
    }

    @Override
    public String toString() {
        return "FleetBreakers[" + fleet + ", " + instanceId + ", " + quorum + (coordinateTrials ? ", trials coordinated" : "")
                + ", " + redis + "]";
    }

    // ------------------------------------------------------------------------------ signals in

    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    System.getLogger(FleetBreakers.class.getName()).log(System.Logger.Level.WARNING,
                            "fleet breakers task failed", e);
                }
            });
        } catch (RejectedExecutionException closing) {
            // closing
        }
    }

    /** A local breaker changed state (telemetry, on the thread that changed it): handled on the fleet's thread. */
    private void onStateChange(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
        Object name = metadata.get(EventKeys.NAME);
        Managed m = name == null ? null : managed.get(name.toString());
        if (m == null || closed) {
            return;
        }
        String to = String.valueOf(metadata.get(EventKeys.TO));
        String trigger = String.valueOf(metadata.get(EventKeys.TRIGGER));
        if ("manual".equals(trigger)) {
            return;   // the fleet's own disable/enable, or a hand's: the next sync looks at the state
        }
        if (State.OPEN.label().equals(to)) {
            submit(() -> {
                if (m.hold == Hold.NONE) {
                    Reply r = call(m, "trip", true);
                    if (r == null) {
                        retrySoon(m);
                    }
                    apply(m, r);
                }
            });
        } else if (State.CLOSED.label().equals(to)) {
            boolean trialsSucceeded = "trials_succeeded".equals(trigger);
            submit(() -> {
                if (m.hold == Hold.NONE && (trialsSucceeded || !m.trialist)) {
                    close(m);
                }
            });
        }
    }

    /** A message from another instance: {@code kind \t breaker \t instance}. */
    private void onSignal(String message) {
        String[] parts = message.split("\t", 3);
        if (parts.length != 3 || parts[2].equals(instanceId)) {
            return;
        }
        Managed m = managed.get(parts[1]);
        if (m != null) {
            signals.increment();
            submit(() -> sync(m));
        }
    }

    private void subscribe() {
        if (subscribing || closed || redis.isSubscribed()) {
            return;
        }
        subscribing = true;
        redis.subscribe(channel, this::onSignal).whenComplete((ok, failure) -> submit(() -> {
            subscribing = false;
            if (failure == null) {
                managed.values().forEach(this::sync);   // catch up with what was said before
            }
        }));
    }

    /**
     * A change could not be told (Redis did not answer): try again shortly rather than at the next
     * sync; a sync reports an opening it finds unreported, and publishes it.
     */
    private void retrySoon(Managed m) {
        if (m.retryPending || closed) {
            return;
        }
        m.retryPending = true;
        long delay = Math.min(syncInterval.toMillis(), 200);
        try {
            worker.schedule(() -> {
                m.retryPending = false;
                sync(m);
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closing
        }
    }

    // ------------------------------------------------------------------------------ the fleet's thread

    private void syncAll() {
        if (closed) {
            return;
        }
        subscribe();
        long failuresBefore = redisFailures.sum();
        for (Managed m : managed.values()) {
            sync(m);
            if (redisFailures.sum() != failuresBefore) {
                break;   // Redis does not answer: the other breakers would only wait for their timeouts too
            }
        }
        long silentNanos = System.nanoTime() - lastSuccessNanos;
        if (!localOnly && silentNanos > 2 * syncInterval.toNanos()) {
            localOnly = true;
            for (Managed m : managed.values()) {
                if (m.hold != Hold.NONE) {
                    release(m, "redis_unreachable");
                }
                m.trialist = false;
            }
            if (localOnlyEvents.isActive()) {
                localOnlyEvents.emit(Map.of("unreachable_ms", silentNanos / 1_000_000), Map.of(FLEET, fleet));
            }
        }
    }

    private void sync(Managed m) {
        if (m == null || closed || managed.get(m.name) != m) {
            return;
        }
        State s = m.breaker.state();
        if (m.hold == Hold.NONE && m.trialist && s == State.CLOSED) {
            // the lease holder closed other than by trials (reset recovery, a lease taken over):
            // it announces the recovery once a call has succeeded since
            long ok = m.breaker.stats().okCount();
            if (m.okWhenClosed < 0) {
                m.okWhenClosed = ok;
            } else if (ok > m.okWhenClosed) {
                close(m);
                return;
            }
        } else {
            m.okWhenClosed = -1;
        }
        boolean ownOpen = m.hold == Hold.TRIAL || (m.hold == Hold.NONE
                && (s == State.OPEN || s == State.HALF_OPEN || (m.trialist && s == State.CLOSED)));
        apply(m, call(m, "sync", ownOpen));
    }

    private void close(Managed m) {
        Reply r = call(m, "close", false);
        if (r != null) {
            m.trialist = false;
            m.okWhenClosed = -1;
        } else {
            retrySoon(m);
        }
        apply(m, r);
    }

    private void leave(Managed m) {
        call(m, "leave", false);
    }

    /** Acts on what Redis said about {@code m}; null (Redis unreachable) changes nothing. */
    private void apply(Managed m, Reply r) {
        if (r == null) {
            return;
        }
        m.last = r;
        State s = m.breaker.state();
        if (m.hold != Hold.NONE) {
            if (s != State.DISABLED) {
                // enabled by hand meanwhile: the fleet lets go, and leaves it be until this episode ends
                m.hold = Hold.NONE;
                m.overriddenAtMs = r.nowMs;
                return;
            }
            if (r.recoveredAtMs >= m.heldSinceMs) {
                release(m, "recovered");
            } else if (m.hold == Hold.QUORUM && !quorum.isMetBy(r.openTotal, r.live)) {
                release(m, "quorum_lost");
            } else if (m.hold == Hold.TRIAL && r.leaseHolder.isEmpty()) {
                Reply taken = call(m, "take", true);
                if (taken != null && instanceId.equals(taken.leaseHolder)) {
                    m.last = taken;
                    release(m, "took_over_trial");
                    leaseTaken(m);
                }
            }
            return;
        }
        if (s == State.OPEN || s == State.HALF_OPEN) {
            boolean mine = instanceId.equals(r.leaseHolder);
            if (mine) {
                leaseTaken(m);
            } else {
                m.trialist = false;
                if (!coordinateTrials) {
                    return;
                }
                if (r.leaseHolder.isEmpty()) {
                    Reply taken = call(m, "take", true);
                    if (taken != null && instanceId.equals(taken.leaseHolder)) {
                        m.last = taken;
                        leaseTaken(m);
                    }
                } else if (s == State.OPEN) {
                    hold(m, Hold.TRIAL, r);
                }
                // half-open while another holds the lease: it learnt too late this round, and acts alone
            }
        } else if (s == State.CLOSED && !m.trialist) {
            if (m.overriddenAtMs >= 0 && (r.recoveredAtMs >= m.overriddenAtMs || !quorum.isMetBy(r.openTotal, r.live))) {
                m.overriddenAtMs = -1;   // the episode the hand overrode is over
            }
            if (m.overriddenAtMs < 0 && quorum.isMetBy(r.openRecent, r.live)) {
                hold(m, Hold.QUORUM, r);
            }
        }
    }

    private void leaseTaken(Managed m) {
        if (!m.trialist) {
            m.trialist = true;
            if (trialLeaseEvents.isActive()) {
                trialLeaseEvents.emit(Map.of(), Map.of(EventKeys.NAME, m.name, FLEET, fleet));
            }
        }
    }

    private void hold(Managed m, Hold why, Reply r) {
        m.hold = why;
        m.trialist = false;
        m.heldSinceMs = r.nowMs;
        m.heldAtNanos = System.nanoTime();
        m.breaker.disable();
        forcedOpen.increment();
        if (forcedOpenEvents.isActive()) {
            forcedOpenEvents.emit(Map.of("open_instances", why == Hold.QUORUM ? r.openRecent : r.openTotal,
                            "live_instances", r.live),
                    Map.of(EventKeys.NAME, m.name, EventKeys.REASON, why == Hold.QUORUM ? "quorum" : "trial", FLEET, fleet));
        }
    }

    private void release(Managed m, String reason) {
        Hold was = m.hold;
        m.hold = Hold.NONE;
        if (m.breaker.state() == State.DISABLED) {
            m.breaker.enable();
        }
        if (releasedEvents.isActive()) {
            releasedEvents.emit(Map.of("held_ms", (System.nanoTime() - m.heldAtNanos) / 1_000_000),
                    Map.of(EventKeys.NAME, m.name, EventKeys.REASON, reason, FLEET, fleet));
        }
        if (was == Hold.TRIAL && !"took_over_trial".equals(reason) && !"redis_unreachable".equals(reason)) {
            Reply r = call(m, "close", false);   // it opened on its own: withdraw its report
            if (r != null) {
                m.last = r;
            }
        }
    }

    /** One script call for {@code m}, awaited here (the fleet's thread); null when Redis did not answer. */
    private Reply call(Managed m, String op, boolean ownOpen) {
        String[] args = {op, instanceId, Long.toString(aliveTtlMs), Long.toString(quorum.within().toMillis()),
                Long.toString(leaseTtlMs(m)), ownOpen ? "1" : "0", channel, m.name};
        List<Object> reply;
        redisCalls.increment();
        try {
            reply = redis.run(SCRIPT, m.keys, args).join();
        } catch (CompletionException | CancellationException e) {
            redisFailures.increment();
            return null;
        }
        Reply r = decode(reply);
        if (r == null) {
            redisFailures.increment();
            return null;
        }
        long now = System.nanoTime();
        if (localOnly) {
            localOnly = false;
            if (restoredEvents.isActive()) {
                restoredEvents.emit(Map.of("downtime_ms", (now - lastSuccessNanos) / 1_000_000), Map.of(FLEET, fleet));
            }
        }
        lastSuccessNanos = now;
        return r;
    }

    /**
     * How long a lease outlives its holder's silence: the rest of its open duration, then its trial
     * time, then two sync intervals.
     */
    private long leaseTtlMs(Managed m) {
        CircuitBreakerConfig config = m.breaker.config();
        Duration retryAfter = m.breaker.stats().retryAfter();
        long ms = (retryAfter != null ? retryAfter.toMillis() : 0) + config.recovery().trialTimeout().toMillis()
                + 2 * syncInterval.toMillis();
        return Math.max(ms, 1);
    }

    private static Reply decode(List<Object> reply) {
        if (reply == null || reply.size() != 6) {
            return null;
        }
        try {
            return new Reply(number(reply.get(0)), number(reply.get(1)), number(reply.get(2)), number(reply.get(3)),
                    String.valueOf(reply.get(4)), number(reply.get(5)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long number(Object o) {
        return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
    }

    // ------------------------------------------------------------------------------ builder

    /**
     * Builds {@link FleetBreakers}. Every setter validates its argument at once and quotes a bad
     * value in its {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        /** Default of {@link #syncInterval}. */
        public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

        private RedisURI uri = RedisURI.create("redis://127.0.0.1:6379");
        private List<RedisURI> clusterSeeds;
        private ClientResources clientResources;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration commandTimeout = Duration.ofMillis(250);
        private String fleet = "default";
        private String instanceId;
        private String keyPrefix = "bulwark:fleet:";
        private FleetQuorum quorum = FleetQuorum.DEFAULT;
        private boolean coordinateTrials = true;
        private Duration syncInterval = DEFAULT_SYNC_INTERVAL;
        private Predicate<String> selection = name -> true;
        private CircuitBreakers circuitBreakers;
        private Telemetry telemetry;

        private Builder() {
        }

        /** One Redis server for the signals; of {@code uri} and {@link #cluster}, the last called decides. */
        public Builder uri(String uri) {
            this.uri = parse("uri", uri);
            this.clusterSeeds = null;
            return this;
        }

        /** A Redis Cluster for the signals, reached through any of {@code seedUris}. */
        public Builder cluster(String... seedUris) {
            Objects.requireNonNull(seedUris, "seedUris");
            if (seedUris.length == 0) {
                throw new IllegalArgumentException("cluster needs at least one seed URI, was none");
            }
            List<RedisURI> parsed = new ArrayList<>();
            for (String seed : seedUris) {
                parsed.add(parse("cluster seed", seed));
            }
            this.clusterSeeds = List.copyOf(parsed);
            return this;
        }

        /** {@link #cluster(String...)} with a list. */
        public Builder cluster(List<String> seedUris) {
            Objects.requireNonNull(seedUris, "seedUris");
            return cluster(seedUris.toArray(new String[0]));
        }

        /** Lettuce resources to share; not shut down by the fleet. */
        public Builder clientResources(ClientResources resources) {
            this.clientResources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /** How long opening a connection may take (default 1 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** The most a Redis call of the fleet waits (default 250 ms); calls run on the fleet's own thread. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive("commandTimeout", timeout);
            return this;
        }

        /**
         * The fleet: the instances that act together on breakers of the same names (default
         * {@code default}); 1 to 64 characters, no braces (it is the Redis Cluster hash tag).
         */
        public Builder fleet(String name) {
            if (name == null || name.isEmpty() || name.length() > 64 || name.indexOf('{') >= 0 || name.indexOf('}') >= 0
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("fleet must be 1 to 64 characters without braces or control "
                        + "characters, was " + (name == null ? "null" : "'" + name + "'"));
            }
            this.fleet = name;
            return this;
        }

        /** This instance's id in the fleet (default: {@code i-<pid>-<random>}); unique within the fleet. */
        public Builder instanceId(String id) {
            if (id == null || id.isEmpty() || id.length() > 128 || id.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("instanceId must be 1 to 128 characters without control characters, was "
                        + (id == null ? "null" : "'" + id + "'"));
            }
            this.instanceId = id;
            return this;
        }

        /** The namespace of the fleet's keys (default {@code bulwark:fleet:}); no braces. */
        public Builder keyPrefix(String prefix) {
            this.keyPrefix = KeyLayout.validPrefix(prefix);
            return this;
        }

        /** When the fleet forces a breaker open (default {@link FleetQuorum#DEFAULT}: two instances within 10 s). */
        public Builder quorum(FleetQuorum quorum) {
            this.quorum = Objects.requireNonNull(quorum, "quorum");
            return this;
        }

        /**
         * Whether one instance at a time makes a breaker's trial calls for the whole fleet
         * (default: on). Off, every instance recovers on its own, and only the quorum acts.
         */
        public Builder coordinateTrials(boolean enabled) {
            this.coordinateTrials = enabled;
            return this;
        }

        /**
         * How often each instance reconciles every breaker with Redis (default 1 s): its heartbeat
         * (an instance silent for three intervals counts as gone) and the catch-up for missed
         * messages. Redis counts as unreachable after two intervals without an answer.
         */
        public Builder syncInterval(Duration interval) {
            Duration d = positive("syncInterval", interval);
            if (d.toMillis() < 10) {
                throw new IllegalArgumentException("syncInterval must be at least 10 ms, was " + d);
            }
            this.syncInterval = d;
            return this;
        }

        /** Which breakers the fleet coordinates, by name (default: every breaker of the registry). */
        public Builder breakers(Predicate<String> names) {
            this.selection = Objects.requireNonNull(names, "names");
            return this;
        }

        /** The breakers the fleet coordinates, by name. */
        public Builder breakers(String... names) {
            Objects.requireNonNull(names, "names");
            for (String name : names) {
                Objects.requireNonNull(name, "names contains null");
            }
            List<String> chosen = List.of(names);
            this.selection = chosen::contains;
            return this;
        }

        /** For {@link #build()}: the registry whose breakers the fleet follows. */
        public Builder circuitBreakers(CircuitBreakers registry) {
            this.circuitBreakers = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * For {@link #build()}: the telemetry the registry's breakers emit to (their state changes are
         * seen at once through it; without it, at the next sync) and where the fleet's events go.
         */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /**
         * Builds the fleet breakers on {@link #circuitBreakers} and {@link #telemetry}; never blocks
         * on Redis. Prefer {@link #asModule()}.
         *
         * @throws IllegalStateException if the registry or the telemetry is missing
         */
        public FleetBreakers build() {
            if (circuitBreakers == null || telemetry == null) {
                throw new IllegalStateException("FleetBreakers.build() needs circuitBreakers(...) and telemetry(...); "
                        + "asModule() takes them from the infrastructure");
            }
            return new FleetBreakers(this);
        }

        /**
         * The fleet breakers as a module: built on the infrastructure's breaker registry and
         * telemetry, they follow every breaker installed in it (or those {@link #breakers} selects),
         * show their {@link Status} in {@code infra.status()} under {@value #COMPONENT_NAME}, and
         * close with the infrastructure.
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
                    configured.circuitBreakers = context.circuitBreakers();
                    configured.telemetry = context.telemetry();
                    FleetBreakers fleetBreakers = new FleetBreakers(configured);
                    context.register(COMPONENT_NAME, fleetBreakers, fleetBreakers::status, fleetBreakers);
                }

                @Override
                public String toString() {
                    return "FleetBreakers module[" + configured.fleet + "]";
                }
            };
        }

        private static RedisURI parse(String what, String uri) {
            Objects.requireNonNull(uri, what);
            try {
                return RedisURI.create(uri);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(what + " is not a Redis URI: '" + uri + "' (" + e.getMessage() + ")", e);
            }
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
