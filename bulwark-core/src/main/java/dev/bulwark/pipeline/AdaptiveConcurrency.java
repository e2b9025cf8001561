package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.pipeline.AdaptiveConcurrencyConfig.Algorithm;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A concurrency limit that finds the dependency's knee by itself: it admits at most
 * {@code limit} calls at once, rejects the others at once with error 7202 (CONCURRENCY_LIMITED,
 * no stack trace, the current limit in the context), and moves the limit once per sample window
 * from the latencies it measures: up while the latency stays within
 * {@link AdaptiveConcurrencyConfig#tolerance() tolerance} of the unloaded latency, down when it
 * rises above it or calls time out. See docs/adaptive-concurrency.md.
 *
 * <pre>{@code
 * AdaptiveConcurrency limit = AdaptiveConcurrency.of("search", AdaptiveConcurrencyConfig.defaults(), infra.policyContext());
 * Result<Page> page = limit.execute(() -> search.query(q));
 * }</pre>
 *
 * <h2>How the limit moves</h2>
 * Each call's latency (from admission to its end, on the injected clock) goes into the current
 * window's histogram; a call that ends with a timeout (7002) is a drop; other failures are not
 * counted (a fast error says nothing about queueing). When a window is over, the first call to end
 * after it closes it (no timer is involved) and, if it holds at least
 * {@link AdaptiveConcurrencyConfig#minSamples() minSamples} samples or a drop, feeds its median
 * latency to a small state machine:
 * <ol>
 *   <li><b>measuring</b>: the first full window gives a first estimate of the unloaded latency;</li>
 *   <li><b>probing</b>: the limit is lowered by 20 % per window for as long as the latency falls
 *       with it (it was queueing caused by our own calls) and stops at the last level at which it
 *       no longer fell; the plateau is the unloaded latency (the baseline). The same probe runs
 *       every {@link AdaptiveConcurrencyConfig#probeInterval() probeInterval} windows while the limit
 *       is in use, so that the baseline follows the dependency: it dips the limit by one step
 *       (from tolerance × knee to about the knee, which costs no throughput) and ends as soon as
 *       the latency is back at the baseline;</li>
 *   <li><b>slow start</b>: from a start below the knee, the limit doubles per window while it is
 *       used and uncongested, so a high knee is reached in a logarithmic number of windows;</li>
 *   <li><b>avoidance</b>: the {@link Algorithm} (AIMD or the gradient) moves the limit, within the
 *       floor and the ceiling.</li>
 * </ol>
 * The baseline moves down at once to a lower full-window median, and up only when the latency
 * stops answering to the limit: after two consecutive decreases of 20 % or more that did not lower
 * it, or at the plateau of a probe. So a dependency that became slower is accepted as it is
 * rather than squeezed to the floor, and queueing caused by our own calls never becomes the
 * baseline.
 *
 * <h2>Pitfalls of earlier limiters, and what is done about each</h2>
 * A window with too few samples is dropped whole and never sets the baseline (a quiet period of
 * health checks cannot make it tiny); an empty window computes nothing (no "minimum of nothing");
 * the limit grows only when it was used (at least half of it in flight, or a rejection) and, for
 * the gradient, only at a gradient of 1 (a queue allowance added under modest overload would grow
 * it without bound); the probe lowers the limit by steps of 20 % and stops as soon as the latency
 * does, never pinning it to 1; and slow start is part of every algorithm.
 *
 * <h2>Use</h2>
 * As a {@link Policy} ({@link #execute}, {@link #apply}, the asynchronous forms) or, for callers
 * that run the call themselves, {@link #tryAcquire()} then exactly one of {@link #onSuccess},
 * {@link #onDropped} or {@link #onIgnored} with the permit it returned. Acquire and release take
 * no lock and allocate nothing; two reads of the clock per call. <b>Event</b>:
 * {@code overload.limit_changed}. Thread-safe.
 */
public final class AdaptiveConcurrency implements Policy {

    /** What the limit is doing (see "How the limit moves"). */
    public enum Phase { MEASURING, PROBING, SLOW_START, AVOIDANCE }

    /** What {@link #tryAcquire()} returns when the limit is reached. */
    public static final long NO_PERMIT = Long.MIN_VALUE;

    private static final double PROBE_STEP = 0.8;
    private static final int MAX_WINDOWS_CARRIED = 8;
    /** A latency below this share of the previous window's fell with the limit. */
    private static final double FELL = 0.95;
    /** A probe goes one step further while each step of 20 % lowers the latency by at least 10 %. */
    private static final double PROBE_FELL = 0.9;

    private final String name;
    private final PolicyContext context;
    private final Clock clock;
    private volatile AdaptiveConcurrencyConfig config;
    private volatile int limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile Window window;
    private final EventChannel changedChannel;
    private volatile CachedRejection cachedRejection;

    // the control state: written by the thread that closes a window, under this object's lock
    private double limitValue;
    private Phase phase = Phase.MEASURING;
    private long baselineNanos;
    private volatile long publishedBaseline;
    private volatile long lastWindowNanos;
    private long previousNanos;
    private boolean previousDecreasedALot;
    private int unresponsiveDecreases;
    private int windowsSinceProbe;
    private boolean startupProbe;
    private double probeLevel;
    private int probeSteps;
    private long probePreviousNanos;
    private boolean warmedUp;
    private boolean previousWasFull;
    private boolean baselineFell;
    private double probeFloor;

    private AdaptiveConcurrency(String name, AdaptiveConcurrencyConfig config, PolicyContext context) {
        this.name = PolicyNames.require(name);
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        this.clock = context.clock();
        this.limitValue = config.initialLimit();
        this.limit = config.initialLimit();
        long now = clock.nanoTime();
        this.window = new Window(now, now + config.window().toNanos());
        this.changedChannel = context.telemetry().channel(Events.OVERLOAD_LIMIT_CHANGED);
    }

    /** A limit on real time (see {@link PolicyContext#system()}). */
    public static AdaptiveConcurrency of(String name, AdaptiveConcurrencyConfig config) {
        return new AdaptiveConcurrency(name, config, PolicyContext.system());
    }

    /**
     * A limit on the given context (its clock times the calls).
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static AdaptiveConcurrency of(String name, AdaptiveConcurrencyConfig config, PolicyContext context) {
        return new AdaptiveConcurrency(name, config, context);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PolicyContext context() {
        return context;
    }

    public AdaptiveConcurrencyConfig config() {
        return config;
    }

    /** The limit now. */
    public int limit() {
        return limit;
    }

    public AdaptiveConcurrencyStats stats() {
        AdaptiveConcurrencyConfig c = config;
        long baseline = publishedBaseline;
        long last = lastWindowNanos;
        Phase p;
        synchronized (this) {
            p = phase;
        }
        return new AdaptiveConcurrencyStats(c.algorithm(), p, limit, inFlight.get(), c.minLimit(), c.maxLimit(),
                baseline == 0 ? null : Duration.ofNanos(baseline), last == 0 ? null : Duration.ofNanos(last),
                admitted.sum(), rejected.sum(), dropped.sum());
    }

    /**
     * Changes the configuration, keeping the calls in flight, the baseline and the limit (moved into
     * the new floor and ceiling).
     */
    public void reconfigure(AdaptiveConcurrencyConfig newConfig) {
        Objects.requireNonNull(newConfig, "newConfig");
        synchronized (this) {
            config = newConfig;
            limitValue = Math.max(newConfig.minLimit(), Math.min(newConfig.maxLimit(), limitValue));
            limit = (int) limitValue;
        }
    }

    // ---------------------------------------------------------------- permits

    /**
     * Takes a permit if fewer than {@link #limit()} calls hold one; never waits.
     *
     * @return the permit (the admission time on the limit's clock), to hand back to exactly one of
     *         {@link #onSuccess}, {@link #onDropped} or {@link #onIgnored}; or {@link #NO_PERMIT}
     *         (the rejection is counted)
     */
    public long tryAcquire() {
        int max = limit;
        int current;
        do {
            current = inFlight.get();
            if (current >= max) {
                rejected.increment();
                markUsed();
                return NO_PERMIT;
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        admitted.increment();
        if (5 * (current + 1) >= 4 * max) {
            markUsed(); // four fifths of the limit in flight: it may bind soon, so it may grow
        }
        long now = clock.nanoTime();
        return now == NO_PERMIT ? now + 1 : now;
    }

    /** The call admitted with {@code permit} succeeded: its latency is a sample. */
    public void onSuccess(long permit) {
        release(permit, false);
    }

    /** The call admitted with {@code permit} timed out (or was otherwise dropped): a congestion signal. */
    public void onDropped(long permit) {
        release(permit, true);
    }

    /** The call admitted with {@code permit} ended without saying anything about load (a fast error). */
    public void onIgnored(long permit) {
        inFlight.decrementAndGet();
    }

    /** The 7202 error of a call rejected now. */
    public InfraError rejection() {
        int current = limit;
        long tick = clock.currentTimeMillis();
        CachedRejection cached = cachedRejection;
        if (cached != null && cached.limit == current && cached.tick == tick) {
            return cached.error;
        }
        long rtt = lastWindowNanos;
        InfraError error = InfraError.builder(CoreErrorCode.CONCURRENCY_LIMITED)
                .message("'" + name + "' is at its concurrency limit of " + current)
                .context("name", name)
                .context("limit", current)
                .retryAfter(Duration.ofMillis(Math.max(1L, (rtt + 999_999L) / 1_000_000L)))
                .timestampMillis(tick)
                .build();
        cachedRejection = new CachedRejection(current, tick, error);
        return error;
    }

    private void markUsed() {
        Window w = window;
        if (!w.used) {
            w.used = true;
        }
    }

    private void release(long permit, boolean drop) {
        inFlight.decrementAndGet();
        long now = clock.nanoTime();
        Window w = window;
        if (now - w.end >= 0) {
            close(w, now);
            w = window;
        }
        if (drop) {
            dropped.increment();
            w.drops.increment();
        } else if (w.countFrom == Long.MIN_VALUE || permit - w.countFrom >= 0) {
            w.latencies.record(now - permit);
        }
    }

    // ---------------------------------------------------------------- policy forms

    @Override
    public <T> Result<T> apply(Supplier<Result<T>> inner) {
        Objects.requireNonNull(inner, "inner");
        long permit = tryAcquire();
        if (permit == NO_PERMIT) {
            return Result.err(rejection());
        }
        Result<T> result;
        try {
            result = Outcomes.get(inner, clock);
        } catch (VirtualMachineError fatal) {
            onIgnored(permit);
            throw fatal;
        }
        release(permit, result);
        return result;
    }

    @Override
    public <T> CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner) {
        Objects.requireNonNull(inner, "inner");
        long permit = tryAcquire();
        if (permit == NO_PERMIT) {
            return CompletableFuture.completedFuture(Result.err(rejection()));
        }
        CompletionStage<Result<T>> stage;
        try {
            stage = Outcomes.getAsync(inner, clock);
        } catch (VirtualMachineError fatal) {
            onIgnored(permit);
            throw fatal;
        }
        return stage.whenComplete((r, t) -> {
            if (t != null || r == null) {
                onIgnored(permit);
            } else {
                release(permit, r);
            }
        });
    }

    /** Releases the permit of a call that ended with {@code result}. */
    <T> void release(long permit, Result<T> result) {
        if (result instanceof Result.Ok) {
            release(permit, false);
        } else if (((Result.Err<T>) result).error().code() == CoreErrorCode.OPERATION_TIMED_OUT.code()) {
            release(permit, true);
        } else {
            onIgnored(permit);
        }
    }

    // ---------------------------------------------------------------- windows

    private void close(Window w, long now) {
        Window next;
        Change change;
        synchronized (this) {
            if (window != w) {
                return; // closed by another thread
            }
            long windowNanos = config.window().toNanos();
            if (w.drops.sum() == 0 && now - w.start < MAX_WINDOWS_CARRIED * windowNanos
                    && w.latencies.count() < config.minSamples()) {
                // too few samples yet (a low limit, a slow dependency): the window goes on, up to
                // eight windows long; a window still short of samples then is dropped whole
                next = new Window(w.start, now + windowNanos);
                next.latencies.add(w.latencies);
                next.used = w.used;
                next.countFrom = w.countFrom;
                window = next;
                return;
            }
            next = new Window(now, now + windowNanos);
            window = next;
            change = onWindow(w);
            if (phase == Phase.PROBING || change != null && change.to < change.from) {
                next.countFrom = now; // after a cut, measure only the calls admitted under the new limit
            }
        }
        if (change != null && changedChannel.isActive()) {
            changedChannel.emit(Map.of(EventKeys.LIMIT, change.to, EventKeys.PREVIOUS_LIMIT, change.from,
                            EventKeys.RTT_US, change.rttNanos / 1_000L, EventKeys.BASELINE_US, change.baselineNanos / 1_000L),
                    Map.of(EventKeys.NAME, name, EventKeys.ALGORITHM, config.algorithm().label(), EventKeys.REASON, change.reason));
        }
    }

    /** Under the lock: one closed window moves the state; returns the change of the limit, or null. */
    private Change onWindow(Window w) {
        AdaptiveConcurrencyConfig c = config;
        long[] counts = new long[LatencyHistogram.BUCKETS];
        long samples = w.latencies.addTo(counts);
        long drops = w.drops.sum();
        boolean full = samples >= c.minSamples();
        if (!full && drops == 0) {
            return null; // empty or too few samples: dropped whole, nothing computed from it
        }
        long rtt = 0;
        if (full) {
            int bucket = LatencyHistogram.bucketAtPercentile(counts, samples, 50);
            rtt = (LatencyHistogram.lowerBoundNanos(bucket) + LatencyHistogram.upperBoundNanos(bucket)) / 2;
            lastWindowNanos = rtt;
            // down at once, but only to what two windows in a row agree on, and only from a window
            // in which the limit was in use: a quiet spell of unusual calls (health checks, cache
            // hits) cannot set the latency that real traffic is then judged by
            long candidate = previousWasFull && w.used ? Math.max(rtt, previousNanos) : Long.MAX_VALUE;
            if (baselineNanos == 0) {
                baselineNanos = rtt;
            } else if (candidate < baselineNanos) {
                // a big fall (the dependency got faster) is measured again by a probe: the windows
                // that show it may still hold queueing caused by the limit grown for the old latency
                baselineFell = candidate < PROBE_STEP * baselineNanos;
                baselineNanos = candidate;
            }
        }
        previousWasFull = full;
        int before = limit;
        double value = limitValue;
        String reason = null;
        boolean decreasedALot = false;
        switch (phase) {
            case MEASURING -> {
                if (!full) {
                    break;
                }
                if (!warmedUp) {
                    warmedUp = true; // the first full window saw the start, not a steady state
                    baselineNanos = 0;
                    break;
                }
                if (w.used) {
                    startProbe(value, rtt, true);
                    value = probeLevel;
                    reason = "probe";
                } else {
                    phase = c.slowStart() ? Phase.SLOW_START : Phase.AVOIDANCE;
                }
            }
            case PROBING -> {
                if (!full) {
                    phase = Phase.AVOIDANCE; // a drop ends the probe
                    value = value * decrease(c, true, 0);
                    reason = "drop";
                    break;
                }
                // queueing of our own calls shrinks with the limit: 20 % fewer calls, ~20 % less latency
                boolean fell = rtt < PROBE_FELL * probePreviousNanos;
                if (fell && value * PROBE_STEP >= probeFloor) {
                    probePreviousNanos = rtt; // still queueing: one step further
                    probeSteps++;
                    value = value * PROBE_STEP;
                    reason = "probe";
                    break;
                }
                boolean uncongestedStart = !fell && probeSteps == 1;
                if (!fell) {
                    value = value / PROBE_STEP; // the last level at which the latency no longer fell
                    if (rtt > c.tolerance() * baselineNanos) {
                        baselineNanos = rtt; // a plateau above the old baseline: the dependency itself is slower
                    }
                }
                phase = startupProbe && uncongestedStart && c.slowStart() ? Phase.SLOW_START : Phase.AVOIDANCE;
                windowsSinceProbe = 0;
                reason = "probe";
            }
            case SLOW_START -> {
                if (congested(c, rtt, drops, full)) {
                    phase = Phase.AVOIDANCE;
                    double factor = decrease(c, drops > 0, rtt);
                    value = value * factor;
                    decreasedALot = factor <= PROBE_STEP;
                    reason = drops > 0 ? "drop" : "decrease";
                } else if (w.used) {
                    value = value * 2;
                    reason = "slow_start";
                }
            }
            case AVOIDANCE -> {
                if (full && previousDecreasedALot && rtt >= PROBE_FELL * previousNanos) {
                    unresponsiveDecreases++;
                } else if (!previousDecreasedALot) {
                    unresponsiveDecreases = 0;
                }
                if (unresponsiveDecreases >= 2) {
                    baselineNanos = rtt; // the latency does not answer to the limit: the dependency is slower
                    unresponsiveDecreases = 0;
                    reason = "rebaseline";
                    if (c.slowStart()) {
                        phase = Phase.SLOW_START; // the limit is likely far below the knee now
                    }
                } else if (congested(c, rtt, drops, full)) {
                    double factor = decrease(c, drops > 0, rtt);
                    value = value * factor;
                    decreasedALot = factor <= PROBE_STEP;
                    reason = drops > 0 ? "drop" : "decrease";
                } else if (w.used) {
                    value = value + (c.algorithm() == Algorithm.AIMD ? 1 : Math.max(1, Math.sqrt(value)));
                    reason = "increase";
                }
                if (full) {
                    windowsSinceProbe++;
                }
                if ((c.probeInterval() > 0 && windowsSinceProbe >= c.probeInterval() || baselineFell) && w.used && full
                        && !decreasedALot) {
                    baselineFell = false;
                    startProbe(value, rtt, false);
                    value = probeLevel;
                    reason = "probe";
                }
            }
        }
        if (full && phase != Phase.PROBING) {
            previousNanos = rtt;
        }
        previousDecreasedALot = decreasedALot;
        value = Math.max(c.minLimit(), Math.min(c.maxLimit(), value));
        limitValue = value;
        int after = (int) value;
        limit = after;
        publishedBaseline = baselineNanos;
        return after == before || reason == null ? null : new Change(before, after, rtt, baselineNanos, reason);
    }

    private void startProbe(double from, long rtt, boolean startup) {
        phase = Phase.PROBING;
        startupProbe = startup;
        probeSteps = 1;
        probeLevel = Math.max(config.minLimit(), from * PROBE_STEP);
        probePreviousNanos = rtt;
        probeFloor = Math.max(config.minLimit(), from / 8);
        windowsSinceProbe = 0;
    }

    private boolean congested(AdaptiveConcurrencyConfig c, long rtt, long drops, boolean full) {
        return drops > 0 || (full && rtt > c.tolerance() * baselineNanos);
    }

    /** The factor of a decrease: the algorithm's backoff, or the gradient (at least 0.5). */
    private double decrease(AdaptiveConcurrencyConfig c, boolean drop, long rtt) {
        if (c.algorithm() == Algorithm.AIMD) {
            return c.backoffRatio();
        }
        if (drop || rtt <= 0) {
            return 0.5;
        }
        return Math.max(0.5, Math.min(1.0, c.tolerance() * baselineNanos / (double) rtt));
    }

    @Override
    public String toString() {
        return "AdaptiveConcurrency[" + name + ", limit=" + limit + ", " + config + "]";
    }

    private record Change(int from, int to, long rttNanos, long baselineNanos, String reason) {
    }

    private record CachedRejection(int limit, long tick, InfraError error) {
    }

    /** One sample window: a latency histogram, drops, and whether the limit was used. */
    private static final class Window {
        final long end;
        final LatencyHistogram latencies = new LatencyHistogram();
        final LongAdder drops = new LongAdder();
        volatile boolean used;
        /** Samples of calls admitted before this are not counted (a probe's windows). */
        volatile long countFrom = Long.MIN_VALUE;
        final long start;

        Window(long start, long end) {
            this.start = start;
            this.end = end;
        }
    }
}
