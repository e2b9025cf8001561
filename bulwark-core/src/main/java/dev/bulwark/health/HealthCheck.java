package dev.bulwark.health;

/**
 * Looks at one thing the service needs and says how it is: a database answering, a queue
 * draining, a cache reachable. Registered with {@link HealthRegistry#register}.
 *
 * <pre>{@code
 * infra.health().register("orders_db", () -> {
 *     try (Connection c = dataSource.getConnection()) {
 *         return c.isValid(1) ? Health.up() : Health.down("connection not valid");
 *     }
 * }, HealthGroup.READINESS);
 * }</pre>
 *
 * <p>The registry never runs a check on the thread asking for a report: it runs it on the
 * infrastructure's executor, at most once per TTL and one run at a time, and gives up on it after
 * its timeout (interrupting it). So a check may block on its dependency; it should answer to
 * interruption. A check that throws is {@link HealthStatus#DOWN} with the exception's message as
 * the detail {@value Health#ERROR}; one that returns null is DOWN too.
 */
@FunctionalInterface
public interface HealthCheck {

    /**
     * Looks and reports.
     *
     * @return the status and details; never {@link HealthStatus#UNKNOWN} (see {@link Health#of})
     * @throws Exception anything: the check is then DOWN with the exception's message
     */
    Health check() throws Exception;
}
