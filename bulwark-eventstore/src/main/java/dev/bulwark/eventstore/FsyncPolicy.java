package dev.bulwark.eventstore;

import java.time.Duration;
import java.util.Objects;

/**
 * When the {@link FileEventStore} forces its writes to the disk. A write always reaches the
 * operating system before {@code append} returns, so a process that is killed (even with SIGKILL)
 * loses nothing that was appended; the policy decides what a crash of the machine (power loss,
 * kernel panic) may lose:
 *
 * <ul>
 *   <li>{@link #everyBatch()}: nothing that was appended (each batch is forced before {@code append} returns);</li>
 *   <li>{@link #every(Duration) every(d)}: at most the batches appended in the last {@code d};</li>
 *   <li>{@link #never()}: whatever the operating system had not written back yet (on Linux, typically up to 30 s).</li>
 * </ul>
 *
 * An immutable value.
 *
 * @param mode     which of the three
 * @param interval the interval of {@link Mode#INTERVAL}, else {@link Duration#ZERO}
 */
public record FsyncPolicy(Mode mode, Duration interval) {

    /** The three policies. */
    public enum Mode { EVERY_BATCH, INTERVAL, NEVER }

    /** @throws IllegalArgumentException if an interval policy has no positive interval, or another policy has one */
    public FsyncPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(interval, "interval");
        if (mode == Mode.INTERVAL && (interval.isZero() || interval.isNegative())) {
            throw new IllegalArgumentException("fsync interval must be positive, was " + interval);
        }
        if (mode != Mode.INTERVAL && !interval.isZero()) {
            throw new IllegalArgumentException(mode + " takes no interval, was " + interval);
        }
    }

    /** Force every batch before {@code append} returns. */
    public static FsyncPolicy everyBatch() {
        return new FsyncPolicy(Mode.EVERY_BATCH, Duration.ZERO);
    }

    /** Force at most every {@code interval} (on an append or the periodic upkeep that finds it due). */
    public static FsyncPolicy every(Duration interval) {
        return new FsyncPolicy(Mode.INTERVAL, interval);
    }

    /** Never force; leave it to the operating system (and to {@code close()}). */
    public static FsyncPolicy never() {
        return new FsyncPolicy(Mode.NEVER, Duration.ZERO);
    }

    @Override
    public String toString() {
        return mode == Mode.INTERVAL ? "every " + interval.toMillis() + " ms" : mode == Mode.EVERY_BATCH ? "every batch" : "never";
    }
}
