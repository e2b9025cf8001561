/**
 * Health checks and the liveness and readiness reports built from them:
 * {@link dev.bulwark.health.HealthRegistry} ({@code infra.health()}), {@link dev.bulwark.health.HealthCheck},
 * {@link dev.bulwark.health.Health}, {@link dev.bulwark.health.HealthStatus},
 * {@link dev.bulwark.health.HealthGroup}, {@link dev.bulwark.health.HealthReport}. docs/health.md
 * gives the rules (why an open breaker is not DOWN, why liveness takes no dependency) and the
 * Kubernetes wiring.
 */
package dev.bulwark.health;
