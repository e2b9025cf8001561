/**
 * Circuit breakers: {@link dev.bulwark.circuit.CircuitBreakers} (the registry of named breakers,
 * {@code infra.circuitBreakers()}), {@link dev.bulwark.circuit.CircuitBreaker},
 * {@link dev.bulwark.circuit.CircuitBreakerConfig} and its trip policies (fuse failure count,
 * failure rate, slow-call rate, consecutive failures) and recoveries (reset, half-open with
 * backoff), {@link dev.bulwark.circuit.State} and {@link dev.bulwark.circuit.Stats}.
 *
 * <p>Everything else in this package is package-private implementation: one immutable phase object
 * per stay in a state, swapped by compare-and-set, with lock-free windows of primitive counters.
 */
package dev.bulwark.circuit;
