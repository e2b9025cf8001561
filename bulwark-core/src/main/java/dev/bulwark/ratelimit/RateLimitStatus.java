package dev.bulwark.ratelimit;

import dev.bulwark.spi.ComponentStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The live rate-limit state of one key: for each rule, a one-unit {@link LimitStore#peek peek}
 * (used and remaining units, reset time, whether one more unit would pass now).
 *
 * @param entityId  the entity
 * @param operation the operation
 * @param rules     one decision per rule with live state (or per rule asked about), never null
 */
public record RateLimitStatus(String entityId, String operation, List<Decision> rules) implements ComponentStatus {

    public RateLimitStatus {
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(operation, "operation");
        rules = List.copyOf(rules);
    }

    /** Whether one more unit would be denied now by some rule. */
    public boolean limited() {
        return rules.stream().anyMatch(d -> !d.allowed());
    }

    /** The fewest units remaining across rules; {@code Long.MAX_VALUE} when no rule has state. */
    public long remaining() {
        return rules.stream().mapToLong(Decision::remaining).min().orElse(Long.MAX_VALUE);
    }

    /** The most units used in any rule; 0 when no rule has state. */
    public long used() {
        return rules.stream().mapToLong(Decision::used).max().orElse(0);
    }

    /** The longest time until a rule is back to its full limit; zero when no rule has state. */
    public Duration resetAfter() {
        return Duration.ofNanos(rules.stream().mapToLong(Decision::resetAfterNanos).max().orElse(0));
    }

    /** The decision of the rule named {@code name}, if present. */
    public Optional<Decision> rule(String name) {
        return rules.stream().filter(d -> d.rule().name().equals(name)).findFirst();
    }
}
