package dev.bulwark.health;

import java.util.Objects;
import java.util.Set;

/**
 * A check as the {@link HealthRegistry} announces it to its listeners
 * ({@link HealthRegistry#subscribe}): a metrics binder or a dashboard follows checks as they come
 * and go with it.
 *
 * @param name   the check's name
 * @param groups the groups it belongs to
 * @param config its timeout and TTL; null for state checks (breakers, memory, the key bound,
 *               heartbeats), which read in-memory state on the probing thread and are never cached
 * @param core   whether core registered it (such a check cannot be removed with
 *               {@link HealthRegistry#remove}; a breaker's goes when the breaker is removed);
 *               false for the application's checks and heartbeats
 */
public record RegisteredCheck(String name, Set<HealthGroup> groups, HealthCheckConfig config, boolean core) {

    public RegisteredCheck {
        Objects.requireNonNull(name, "name");
        groups = Set.copyOf(Objects.requireNonNull(groups, "groups"));
    }
}
