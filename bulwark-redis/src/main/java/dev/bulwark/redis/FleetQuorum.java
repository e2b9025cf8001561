package dev.bulwark.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * When the fleet forces an instance's breaker open ({@link FleetBreakers}): when at least
 * {@code instances} other instances, or at least {@code percent} % of the live instances, opened
 * the same breaker on their own within {@code within}. Either rule may be off (0); at least one
 * is on. The breaker then stays forced open while that many are still open, and is released when
 * the fleet's trial call succeeds or too few remain open.
 *
 * <pre>{@code
 * FleetQuorum.instances(2).within(Duration.ofSeconds(10))            // two instances within 10 s
 * FleetQuorum.percent(50).within(Duration.ofSeconds(30))             // half the fleet within 30 s
 * FleetQuorum.instances(3).orPercent(25).within(Duration.ofSeconds(10))
 * }</pre>
 *
 * <p>Only instances that opened on their own count, never those the fleet forced open, so that a
 * quorum cannot keep itself alive. An immutable value: equal rules are equal.
 *
 * @param instances how many instances must have opened, or 0 for no count rule
 * @param percent   what share of the live instances (0 to 100) must have opened, or 0 for no share rule
 * @param within    how recent their openings must be for the quorum to fire
 */
public record FleetQuorum(int instances, double percent, Duration within) {

    /** The default quorum: two instances within ten seconds. */
    public static final FleetQuorum DEFAULT = instances(2).within(Duration.ofSeconds(10));

    /**
     * @throws IllegalArgumentException if {@code instances} is negative, {@code percent} is not in
     *                                  [0, 100], both are 0, or {@code within} is not positive
     */
    public FleetQuorum {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must be >= 0, was " + instances);
        }
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must be in [0, 100], was " + percent);
        }
        if (instances == 0 && percent == 0) {
            throw new IllegalArgumentException("a quorum needs instances > 0 or percent > 0, was both 0");
        }
        Objects.requireNonNull(within, "within");
        if (within.isZero() || within.isNegative()) {
            throw new IllegalArgumentException("within must be positive, was " + within);
        }
    }

    /** A quorum of {@code instances} instances (within ten seconds until {@link #within} says otherwise). */
    public static FleetQuorum instances(int instances) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be >= 1, was " + instances);
        }
        return new FleetQuorum(instances, 0, Duration.ofSeconds(10));
    }

    /** A quorum of {@code percent} % of the live instances (within ten seconds until {@link #within} says otherwise). */
    public static FleetQuorum percent(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must be in (0, 100], was " + percent);
        }
        return new FleetQuorum(0, percent, Duration.ofSeconds(10));
    }

    /** This quorum, also firing when {@code percent} % of the live instances opened. */
    public FleetQuorum orPercent(double percent) {
        return new FleetQuorum(instances, percent, within);
    }

    /** This quorum, also firing when {@code instances} instances opened. */
    public FleetQuorum orInstances(int instances) {
        return new FleetQuorum(instances, percent, within);
    }

    /** This quorum with the window {@code within}. */
    public FleetQuorum within(Duration within) {
        return new FleetQuorum(instances, percent, within);
    }

    /** Whether {@code opened} of {@code live} instances meet this quorum. */
    public boolean isMetBy(long opened, long live) {
        if (opened <= 0) {
            return false;
        }
        if (instances > 0 && opened >= instances) {
            return true;
        }
        return percent > 0 && live > 0 && 100.0 * opened / live >= percent;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FleetQuorum[");
        if (instances > 0) {
            sb.append(instances).append(" instances");
        }
        if (percent > 0) {
            sb.append(instances > 0 ? " or " : "").append(percent).append(" %");
        }
        return sb.append(" within ").append(within).append(']').toString();
    }
}
