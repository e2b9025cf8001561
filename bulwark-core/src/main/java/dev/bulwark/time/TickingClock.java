package dev.bulwark.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A clock whose reads cost one memory load: a daemon thread samples the system clock every
 * {@code resolution} and publishes the sample, and {@link #nanoTime()} returns the latest one.
 *
 * <p>Use it where clock reads dominate a hot path and millisecond precision is enough: a time
 * window of a circuit breaker, a breaker's open period, rate-limit windows of a second or more.
 * On a virtual machine one {@link System#nanoTime()} can cost 20–50 ns, more than everything else
 * a breaker or a limiter does per call.
 *
 * <p>What it trades:
 * <ul>
 * <li>Its time lags the system clock by up to one resolution (more if the machine is so loaded
 * that the tick thread is not scheduled). It is still monotonic, and everything built on it stays
 * exact <em>in its time</em>: a rate limit never admits more than its algorithm allows in any
 * interval of this clock. Measured in real time, an interval may be longer by the lag, so a limit
 * of {@code L} per {@code W} may admit about {@code L × resolution / W} more than in real time
 * (0.1 of a permit for 100 per second at 1 ms).</li>
 * <li>Durations measured on it (slow-call detection, telemetry span durations) are whole ticks:
 * a 200 µs call measures 0 or 1 ms. Do not set a slow-call threshold near the resolution.</li>
 * <li>One daemon thread ({@code bulwark-clock}) that wakes every resolution.</li>
 * </ul>
 *
 * <p>Timers (retry backoff, timeouts) do not depend on it: they wait in real time.
 *
 * <p>Close it when done; a closed clock answers the system clock directly, so components still
 * using it keep seeing time move. {@code Infrastructure.builder().tickingClock(resolution)}
 * creates one that the infrastructure owns and closes.
 */
public final class TickingClock implements Clock, AutoCloseable {

    /** The finest resolution accepted: 100 µs. */
    public static final Duration MIN_RESOLUTION = Duration.ofNanos(100_000);
    /** The coarsest resolution accepted: 1 s. */
    public static final Duration MAX_RESOLUTION = Duration.ofSeconds(1);
    /** The resolution of {@link #start()}: 1 ms. */
    public static final Duration DEFAULT_RESOLUTION = Duration.ofMillis(1);

    /** Stored in {@link #nanos} once the tick thread has stopped: reads then go to the system clock. */
    private static final long CLOSED = Long.MIN_VALUE;
    private static final long JOIN_TIMEOUT_MILLIS = 5_000;

    private final long resolutionNanos;
    private final Thread ticker;
    private volatile long nanos;
    private volatile long millis;
    private volatile boolean closing;

    private TickingClock(long resolutionNanos) {
        this.resolutionNanos = resolutionNanos;
        tick();
        this.ticker = new Thread(this::run, "bulwark-clock");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** Starts a clock ticking every {@link #DEFAULT_RESOLUTION}. */
    public static TickingClock start() {
        return start(DEFAULT_RESOLUTION);
    }

    /**
     * Starts a clock ticking every {@code resolution}.
     *
     * @throws IllegalArgumentException if {@code resolution} is null or outside
     *                                  [{@link #MIN_RESOLUTION}, {@link #MAX_RESOLUTION}]
     */
    public static TickingClock start(Duration resolution) {
        return new TickingClock(requireResolution("resolution", resolution).toNanos());
    }

    /**
     * The check {@link #start(Duration)} applies, for builders that take a resolution and start the
     * clock later: returns {@code resolution} if it lies in
     * [{@link #MIN_RESOLUTION}, {@link #MAX_RESOLUTION}].
     *
     * @param argument how the message names the argument
     * @throws IllegalArgumentException naming {@code argument} and the value otherwise
     */
    public static Duration requireResolution(String argument, Duration resolution) {
        java.util.Objects.requireNonNull(argument, "argument");
        if (resolution == null || resolution.compareTo(MIN_RESOLUTION) < 0 || resolution.compareTo(MAX_RESOLUTION) > 0) {
            throw new IllegalArgumentException(argument + " must be between 100 µs and 1 s, was " + resolution);
        }
        return resolution;
    }

    /** The latest sample of {@link System#nanoTime()}; the system clock itself once closed. */
    @Override
    public long nanoTime() {
        long sample = nanos;
        return sample != CLOSED ? sample : System.nanoTime();
    }

    /** The latest sample of {@link System#currentTimeMillis()}; the system clock itself once closed. */
    @Override
    public long currentTimeMillis() {
        return nanos != CLOSED ? millis : System.currentTimeMillis();
    }

    /** How often the clock ticks. */
    public Duration resolution() {
        return Duration.ofNanos(resolutionNanos);
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closing;
    }

    /**
     * Stops the tick thread and waits (up to 5 s) for it to end; from then on reads go to the system
     * clock. Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        LockSupport.unpark(ticker);
        if (Thread.currentThread() != ticker) {
            try {
                ticker.join(JOIN_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!closing) {
            LockSupport.parkNanos(this, resolutionNanos);
            Thread.interrupted();   // an interrupt would make every later park return at once
            tick();
        }
        nanos = CLOSED;
    }

    private void tick() {
        millis = System.currentTimeMillis();
        nanos = System.nanoTime();
    }

    @Override
    public String toString() {
        return "TickingClock[" + TimeUnit.NANOSECONDS.toMicros(resolutionNanos) + " µs" + (closing ? ", closed" : "") + "]";
    }
}
