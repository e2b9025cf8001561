/**
 * Bulwark's resource pools: {@code Pool<T>} on Apache Commons Pool 2 with checkout timeouts,
 * fail-fast waiters, overflow that lingers, a breaker on creation and validation, leak detection
 * and keyed caps; {@code ProtectedDataSource} over HikariCP with the same codes, events, health and
 * status; and the {@code pool(name)} pipeline stage. Installed into an {@code Infrastructure} as a
 * module. docs/pools.md is the reference.
 */
module dev.bulwark.pool {
    requires transitive dev.bulwark.core;
    requires transitive java.sql;
    requires org.apache.commons.pool2;
    requires static com.zaxxer.hikari;

    exports dev.bulwark.pool;
    exports dev.bulwark.pool.jdbc;
}
