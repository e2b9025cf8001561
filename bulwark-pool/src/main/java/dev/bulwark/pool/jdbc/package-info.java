/**
 * JDBC protection over HikariCP: {@link dev.bulwark.pool.jdbc.ProtectedDataSource}, a
 * {@code DataSource} that answers with the pool codes (7101 exhausted at the checkout timeout,
 * 7102 at once while its connection breaker is open, 7103 closed), emits the pool events and
 * reports a {@code PoolStatus} and a health check. HikariCP is an optional dependency of
 * {@code bulwark-pool}: users of this package add it. docs/pools.md is the reference.
 */
package dev.bulwark.pool.jdbc;
