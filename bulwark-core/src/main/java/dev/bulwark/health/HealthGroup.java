package dev.bulwark.health;

import java.util.Objects;

/**
 * A named set of health checks reported together: {@link #LIVENESS} (is the process itself
 * alive?), {@link #READINESS} (should it receive traffic?) or a group of your own
 * ({@code HealthGroup.of("startup")}). A check may belong to several groups.
 *
 * <p><b>Liveness is closed.</b> Only the process's own checks are in {@link #LIVENESS}: core's
 * (deadlocked threads, a stalled scheduler, memory that stays CRITICAL) and heartbeats
 * ({@link HealthRegistry#heartbeat}); {@link HealthRegistry#register} rejects it. A failing
 * liveness probe restarts the process, and restarting never repairs a dependency (docs/health.md).
 *
 * <p>Immutable; equal when the names are equal.
 */
public final class HealthGroup {

    /** Is the process alive? A restart is the remedy for DOWN. */
    public static final HealthGroup LIVENESS = new HealthGroup("liveness");
    /** Should the process receive traffic? Taking it out of rotation is the remedy for DOWN. */
    public static final HealthGroup READINESS = new HealthGroup("readiness");

    private final String name;

    private HealthGroup(String name) {
        this.name = name;
    }

    /**
     * The group of that name: {@link #LIVENESS} for {@code "liveness"}, {@link #READINESS} for
     * {@code "readiness"}, else a group of your own.
     *
     * @throws IllegalArgumentException if {@code name} is not lower_snake_case of at most 64 characters
     */
    public static HealthGroup of(String name) {
        Objects.requireNonNull(name, "name");
        if (name.equals(LIVENESS.name)) {
            return LIVENESS;
        }
        if (name.equals(READINESS.name)) {
            return READINESS;
        }
        if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("health group name must be lower_snake_case (at most 64), was '" + name + "'");
        }
        return new HealthGroup(name);
    }

    /** The group's name, as reported in {@code health.status_changed}. */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthGroup other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
