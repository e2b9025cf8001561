package dev.bulwark.spi;

/**
 * The typed status of one component of an {@code Infrastructure} (the breaker registry, the rate
 * limiter, a limit store, a pool...) or of one pipeline stage: a record of numbers and states,
 * read by {@code infra.status()}, health contributors, metrics binders and the dashboard.
 * Implementations are immutable records.
 */
public interface ComponentStatus {
}
