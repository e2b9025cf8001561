package dev.bulwark.pool.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.DriverDataSource;
import com.zaxxer.hikari.util.PropertyElf;
import com.zaxxer.hikari.util.UtilityElf;
import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.circuit.State;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.Health;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.pool.PoolErrorCode;
import dev.bulwark.pool.PoolEvents;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Durations;
import dev.bulwark.time.Scheduler;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A JDBC {@link DataSource} over a HikariCP pool that answers like every Bulwark pool: a checkout
 * that cannot be served within the <b>checkout timeout</b> (default 1 s, not HikariCP's 30 s) fails
 * with 7101 POOL_EXHAUSTED; a database that cannot be reached fails with 7102 POOL_RESOURCE_FAILED,
 * <b>at once</b> while the connection breaker is open; a closed data source answers 7103
 * POOL_CLOSED. It emits the pool events ({@code pool.checked_out}, {@code pool.checkout_rejected},
 * {@code pool.resource_created} / {@code _destroyed}, {@code pool.leak_suspected}), reports a
 * {@link PoolStatus} and a readiness check, and is installed as a module:
 *
 * <pre>{@code
 * HikariConfig hikari = new HikariConfig();
 * hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/orders");
 * hikari.setMaximumPoolSize(8);
 * try (Infrastructure infra = Infrastructure.builder()
 *         .install(ProtectedDataSource.builder("orders_db").hikari(hikari).checkoutTimeout(Duration.ofMillis(500)).asModule())
 *         .build()) {
 *     DataSource orders = ProtectedDataSource.named(infra, "orders_db").orElseThrow();
 *     ...
 * }
 * }</pre>
 *
 * <h2>What a caller sees</h2>
 * {@link #getConnection()} keeps the {@code DataSource} contract and throws {@link SQLException}s:
 * {@link ConnectionUnavailableException} (an {@link SQLTransientConnectionException}, as HikariCP
 * throws on a timeout) for 7101 and 7102, {@link DataSourceClosedException} for 7103; both carry
 * the {@link InfraError} ({@link #errorOf(Throwable)} finds it in any exception).
 * {@link #withConnection(ConnectionFunction)} returns a {@link Result} instead and never throws for
 * an expected failure: {@code Err} 7101, 7102, 7103, or 7104 POOLED_OPERATION_FAILED when the work
 * threw (the cause attached); the connection always goes back.
 *
 * <h2>The connection breaker</h2>
 * Every attempt of HikariCP to open a physical connection goes through a circuit breaker of the
 * infrastructure's registry, named {@code <name>.connect} (default: opens on 3 failed attempts in a
 * row, half-open after 2 s with one trial). While it is open, HikariCP's attempts are refused
 * without touching the network, and callers get 7102 in O(1) instead of waiting out the timeout;
 * after its open time, HikariCP's next attempt is the trial, and a success closes it: the data
 * source recovers by itself. A caller waiting while connections cannot be opened (before the breaker
 * opens, or during a trial) gets 7102 at the checkout timeout, with the last connection failure as
 * cause. Validation failures do not count for the breaker (HikariCP replaces the connection).
 *
 * <h2>HikariCP</h2>
 * HikariCP is an optional dependency of {@code bulwark-pool}: an application that uses this class
 * adds {@code com.zaxxer:HikariCP} (7.x) itself. The given {@link HikariConfig} is copied; Bulwark
 * then sets its pool name, its connection timeout (the checkout timeout), its leak detection (off:
 * Bulwark's own, see {@link Builder#leakThreshold}), {@code initializationFailTimeout = -1} (the
 * data source starts while the database is down and says so in its health) and a data source
 * wrapping the configured one ({@code jdbcUrl}, {@code dataSource} or {@code dataSourceClassName}).
 * Sizes map onto {@link PoolStatus}: {@code maxSize} is HikariCP's {@code minimumIdle},
 * {@code maxOverflow} is {@code maximumPoolSize - minimumIdle} (connections above the minimum are
 * retired after HikariCP's {@code idleTimeout}).
 *
 * <p>Cost: a checkout that succeeds adds a few volatile reads to HikariCP's (and two clock reads
 * when a handler listens to the checkout events); closing the connection is HikariCP's own, unless
 * leak detection is on. Thread-safe.
 */
public final class ProtectedDataSource implements DataSource, AutoCloseable {

    /** The default checkout timeout. */
    public static final Duration DEFAULT_CHECKOUT_TIMEOUT = Duration.ofSeconds(1);
    /** The shortest checkout timeout HikariCP honours. */
    public static final Duration MIN_CHECKOUT_TIMEOUT = Duration.ofMillis(250);

    private final String name;
    private final HikariDataSource hikari;
    private final ConnectionCreation creation;
    private final CircuitBreaker breaker;
    private final CircuitBreakers breakers;
    private final Clock clock;
    private final JdbcEvents events;
    private final LeakTracker leaks;
    private final Scheduler.Task leakScan;
    private final boolean critical;
    private final long checkoutTimeoutMillis;
    private final int coreSize;
    private final int maxSize;
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    /** The 7103 of every checkout after close, dated when the data source closed. */
    private volatile InfraError closedError;
    private volatile boolean closed;
    private volatile OpenRejection openRejection;

    /** The 7102 answered while the breaker is open, built again only when the breaker's own rejection changes (at most once a millisecond). */
    private record OpenRejection(InfraError source, InfraError error) {
    }

    private ProtectedDataSource(Builder b, ModuleContext context) {
        this.name = b.name;
        this.clock = context.clock();
        this.critical = b.critical;
        this.checkoutTimeoutMillis = b.checkoutTimeout.toMillis();
        this.events = new JdbcEvents(context.telemetry(), name);
        DataSource target = target(b.hikari);   // may fail (an unknown driver or class): before anything is installed
        this.breakers = context.circuitBreakers();
        this.breaker = breakers.install(breakerName(name), b.breakerConfig);
        HikariConfig config = new HikariConfig();
        b.hikari.copyStateTo(config);
        int maximum = config.getMaximumPoolSize();
        int minimumIdle = config.getMinimumIdle() < 0 || config.getMinimumIdle() > maximum ? maximum : config.getMinimumIdle();
        this.coreSize = minimumIdle;
        this.maxSize = maximum;
        this.creation = new ConnectionCreation(target, breaker, clock, events, minimumIdle);
        config.setDataSource(creation);
        config.setJdbcUrl(null);
        config.setDataSourceClassName(null);
        config.setPoolName(name);
        config.setConnectionTimeout(checkoutTimeoutMillis);
        config.setLeakDetectionThreshold(0);
        config.setInitializationFailTimeout(-1);
        config.setMinimumIdle(minimumIdle);
        long leakNanos = b.leakThreshold != null ? b.leakThreshold.toNanos()
                : TimeUnit.MILLISECONDS.toNanos(b.hikari.getLeakDetectionThreshold());
        this.leaks = leakNanos > 0 ? new LeakTracker(leakNanos, clock, events) : null;
        HikariDataSource started = null;
        try {
            started = new HikariDataSource(config);
            this.leakScan = leaks == null ? null : context.scheduler().scheduleAtFixedRate("leak scan of data source " + name,
                    scanPeriod(leakNanos), leaks::check);
        } catch (RuntimeException e) {
            if (started != null) {
                started.close();
            }
            breakers.remove(breaker.name());
            throw e;
        }
        this.hikari = started;
    }

    private InfraError newClosedError() {
        return InfraError.builder(PoolErrorCode.POOL_CLOSED).message("data source " + name + " is closed")
                .context(PoolEvents.POOL, name).timestampMillis(clock.currentTimeMillis()).build();
    }

    /** The name of the breaker on the connections of the data source {@code name}. */
    public static String breakerName(String name) {
        return name + ".connect";
    }

    /** Starts building a data source named {@code name} (lower_snake_case: it names its component, health check and events). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The data source installed under {@code name} in {@code infra}, if any. */
    public static Optional<ProtectedDataSource> named(Infrastructure infra, String name) {
        Objects.requireNonNull(infra, "infra");
        Objects.requireNonNull(name, "name");
        return infra.components(ProtectedDataSource.class).stream().filter(ds -> ds.name.equals(name)).findFirst();
    }

    /**
     * The {@link InfraError} a failure of this class carries: that of a
     * {@link ConnectionUnavailableException} or {@link DataSourceClosedException} found in
     * {@code failure} or its causes (an ORM may wrap them).
     */
    public static Optional<InfraError> errorOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectionUnavailableException unavailable) {
                return Optional.of(unavailable.error());
            }
            if (t instanceof DataSourceClosedException closedFailure) {
                return Optional.of(closedFailure.error());
            }
        }
        return Optional.empty();
    }

    /** The name of this data source. */
    public String name() {
        return name;
    }

    /** The breaker on its connection attempts ({@code <name>.connect} in the infrastructure's registry). */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /**
     * A connection from the pool; closing it gives it back.
     *
     * @throws ConnectionUnavailableException 7101 when none is free within the checkout timeout;
     *                                        7102 at once while the connection breaker is open, or
     *                                        at the timeout while connections cannot be opened
     * @throws DataSourceClosedException      7103 once the data source is closed
     * @throws SQLException                   as HikariCP, e.g. when the waiting thread is interrupted
     */
    @Override
    public Connection getConnection() throws SQLException {
        InfraError refused = refusal();
        if (refused != null) {
            throw refused.code() == PoolErrorCode.POOL_CLOSED.code()
                    ? new DataSourceClosedException(refused) : new ConnectionUnavailableException(refused);
        }
        return checkout();
    }

    /** The error of a checkout refused before it waits (closed, or the breaker open), or null when it may wait on the pool. */
    private InfraError refusal() {
        if (closed) {
            return closedRejection(0L);
        }
        return creation.failing() ? openRejection() : null;
    }

    private Connection checkout() throws SQLException {
        boolean timed = events.timed();
        long start = timed ? clock.nanoTime() : 0L;
        Connection connection;
        try {
            connection = hikari.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw checkoutFailed(e, timed ? clock.nanoTime() - start : 0L);
        } catch (SQLException e) {
            if (closed) {
                throw new DataSourceClosedException(closedRejection(timed ? clock.nanoTime() - start : 0L));
            }
            throw e;
        }
        if (timed) {
            events.checkedOut(clock.nanoTime() - start);
        }
        return leaks == null ? connection : leaks.lease(connection);
    }

    /** Not supported: the pool's connections all use the configured credentials. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("data source " + name + " pools the configured credentials only");
    }

    /**
     * Runs {@code work} with a connection and gives it back: {@code Ok} with what it returned, or
     * {@code Err} 7101 / 7102 / 7103 when no connection could be had (the work does not run), or
     * 7104 POOLED_OPERATION_FAILED when the work threw (cause attached; an interrupt is kept). A
     * {@link VirtualMachineError} propagates, the connection given back first.
     */
    public <R> Result<R> withConnection(ConnectionFunction<? extends R> work) {
        Objects.requireNonNull(work, "work");
        InfraError refused = refusal();
        if (refused != null) {
            return Result.err(refused); // no exception thrown and caught: a rejection stays cheap
        }
        Connection connection;
        try {
            connection = checkout();
        } catch (SQLException e) {
            Optional<InfraError> known = errorOf(e);
            if (known.isPresent()) {
                return Result.err(known.get());
            }
            boolean interrupted = e.getCause() instanceof InterruptedException;
            return Result.err(InfraError.builder(interrupted ? PoolErrorCode.POOL_EXHAUSTED : PoolErrorCode.POOL_RESOURCE_FAILED)
                    .message("no connection from data source " + name + ": " + e.getMessage())
                    .context(PoolEvents.POOL, name).context(PoolEvents.REASON,
                            interrupted ? JdbcEvents.REASON_INTERRUPTED : JdbcEvents.REASON_CREATION_FAILED)
                    .cause(e).timestampMillis(clock.currentTimeMillis()).build());
        }
        try (connection) {
            return Result.ok(work.apply(connection));
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable failure) {
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Result.err(InfraError.builder(PoolErrorCode.POOLED_OPERATION_FAILED)
                    .message("the work done with a connection of " + name + " failed: " + failure)
                    .context(PoolEvents.POOL, name).cause(failure).timestampMillis(clock.currentTimeMillis()).build());
        }
    }

    /** The pool's figures now (HikariCP's idle, active, waiting and total; Bulwark's counters). */
    public PoolStatus status() {
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        int idle = 0;
        int active = 0;
        int waiters = 0;
        int total = 0;
        if (pool != null) {
            idle = pool.getIdleConnections();
            active = pool.getActiveConnections();
            waiters = pool.getThreadsAwaitingConnection();
            total = pool.getTotalConnections();
        }
        return new PoolStatus(name, coreSize, maxSize - coreSize, idle, active, waiters, Math.max(0, total - coreSize),
                creation.created.sum(), creation.destroyed.sum(), timeouts.sum(), rejections.sum(),
                leaks == null ? 0L : leaks.leaks.sum(), breaker.state());
    }

    /**
     * The readiness check of this data source (registered under its name when installed): UP;
     * DEGRADED while the connection breaker is not closed or the pool is exhausted with callers
     * waiting — DOWN instead when the data source is marked {@link Builder#critical()}; DOWN once closed.
     */
    public Health health() {
        if (closed) {
            return Health.down("closed");
        }
        PoolStatus s = status();
        Health health;
        if (s.breaker() != State.CLOSED) {
            health = problem("database unreachable: connection breaker " + s.breaker().label()
                    + ", checkouts answer 7102 at once");
        } else if (s.active() >= maxSize && s.waiters() > 0) {
            health = problem("exhausted: " + s.active() + " of " + maxSize + " connections in use, "
                    + s.waiters() + " callers waiting");
        } else {
            health = Health.up();
        }
        return health.withDetail("active", s.active()).withDetail("idle", s.idle()).withDetail("waiters", s.waiters())
                .withDetail("max", maxSize).withDetail("breaker", s.breaker().label()).withDetail("critical", critical);
    }

    private Health problem(String reason) {
        return critical ? Health.down(reason + " (marked critical)") : Health.degraded(reason);
    }

    /** Reports the connections held past the leak threshold now (the scheduler does it periodically); returns how many. */
    int checkLeaks() {
        return leaks == null ? 0 : leaks.check();
    }

    /**
     * Closes the pool: later checkouts answer 7103, HikariCP closes the idle connections and aborts
     * those still in use; the connection breaker leaves the registry. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closedError = newClosedError();
        closed = true;
        creation.closing();
        if (leakScan != null) {
            leakScan.cancel();
        }
        try {
            hikari.close();
        } finally {
            try {
                breakers.remove(breaker.name());
            } catch (RuntimeException registryClosed) {
                // the infrastructure is closing: its registry goes with it
            }
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** The 7102 of a checkout refused while the breaker is open, or null when the breaker admits (closed again, or half-open with a trial to give). */
    private InfraError openRejection() {
        InfraError refused = breaker.rejectionError();
        if (refused == null) {
            return null;
        }
        if (refused.code() == CoreErrorCode.SERVICE_UNAVAILABLE.code()) {
            return closedRejection(0L); // the infrastructure closed the breaker registry
        }
        OpenRejection cached = openRejection;
        if (cached == null || cached.source != refused) {
            cached = new OpenRejection(refused, InfraError.builder(PoolErrorCode.POOL_RESOURCE_FAILED)
                    .message("database of " + name + " unreachable: connection breaker " + breaker.name() + " is open")
                    .context(PoolEvents.POOL, name).context(PoolEvents.REASON, JdbcEvents.REASON_BREAKER_OPEN)
                    .context("breaker", breaker.name())
                    .retryAfter(refused.retryAfter())
                    .timestampMillis(clock.currentTimeMillis()).build());
            openRejection = cached;
        }
        rejections.increment();
        events.rejected(0L, JdbcEvents.REASON_BREAKER_OPEN, PoolErrorCode.POOL_RESOURCE_FAILED.code());
        return cached.error;
    }

    private SQLException checkoutFailed(SQLTransientConnectionException timeout, long waitedNanos) {
        if (closed) {
            return new DataSourceClosedException(closedRejection(waitedNanos));
        }
        timeouts.increment();
        Throwable lastFailure = timeout.getCause();
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        int active = pool == null ? 0 : pool.getActiveConnections();
        int waiters = pool == null ? 0 : pool.getThreadsAwaitingConnection();
        InfraError error;
        String reason;
        if (lastFailure != null) {
            reason = JdbcEvents.REASON_CREATION_FAILED;
            error = InfraError.builder(PoolErrorCode.POOL_RESOURCE_FAILED)
                    .message("no connection from " + name + " within " + checkoutTimeoutMillis
                            + " ms: connecting to the database fails (" + lastFailure.getMessage() + ")")
                    .cause(lastFailure).build();
        } else {
            reason = JdbcEvents.REASON_TIMEOUT;
            error = InfraError.builder(PoolErrorCode.POOL_EXHAUSTED)
                    .message("data source " + name + " exhausted: no connection within " + checkoutTimeoutMillis
                            + " ms (" + active + " of " + maxSize + " in use, " + waiters + " waiting)")
                    .retryAfter(Duration.ofMillis(checkoutTimeoutMillis)).build();
        }
        error = error.toBuilder().context(PoolEvents.POOL, name).context(PoolEvents.REASON, reason)
                .context("waited_ms", checkoutTimeoutMillis).context("active", active).context("waiters", waiters)
                .context("max", maxSize).timestampMillis(clock.currentTimeMillis()).build();
        events.rejected(waitedNanos, reason, error.code());
        return new ConnectionUnavailableException(error);
    }

    private InfraError closedRejection(long waitedNanos) {
        rejections.increment();
        events.rejected(waitedNanos, JdbcEvents.REASON_CLOSED, PoolErrorCode.POOL_CLOSED.code());
        InfraError error = closedError;
        return error != null ? error : newClosedError(); // the infrastructure closed the breakers before this data source
    }

    private static Duration scanPeriod(long leakNanos) {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(leakNanos / 4, TimeUnit.SECONDS.toNanos(1)));
        return Duration.ofNanos(period);
    }

    private static DataSource target(HikariConfig config) {
        if (config.getDataSource() != null) {
            return config.getDataSource();
        }
        if (config.getJdbcUrl() != null) {
            return new DriverDataSource(config.getJdbcUrl(), config.getDriverClassName(),
                    config.getDataSourceProperties(), config.getUsername(), config.getPassword());
        }
        DataSource created = UtilityElf.createInstance(config.getDataSourceClassName(), DataSource.class);
        PropertyElf.setTargetFromProperties(created, config.getDataSourceProperties());
        return created;
    }

    // ---------------------------------------------------------------- DataSource plumbing

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return hikari.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        hikari.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        hikari.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return hikari.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return hikari.getParentLogger();
    }

    /** This object, HikariCP's data source (bypassing the protection: for tools that insist), or what it wraps. */
    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : hikari.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || hikari.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "ProtectedDataSource[" + name + ", max " + maxSize + ", checkout timeout " + checkoutTimeoutMillis + " ms"
                + (closed ? ", closed" : "") + "]";
    }

    /**
     * Builds a {@link ProtectedDataSource}; validates each value as it is given. Not thread-safe;
     * {@link #asModule()} takes a snapshot, so the builder may be reused.
     */
    public static final class Builder {

        /** The default breaker: opens on 3 failed connection attempts in a row, one trial after 2 s. */
        public static final CircuitBreakerConfig DEFAULT_BREAKER = CircuitBreakerConfig.builder()
                .consecutiveFailures(3).halfOpen(Duration.ofSeconds(2), 1, 1).build();

        private final String name;
        private HikariConfig hikari;
        private Duration checkoutTimeout = DEFAULT_CHECKOUT_TIMEOUT;
        private CircuitBreakerConfig breakerConfig = DEFAULT_BREAKER;
        private Duration leakThreshold;
        private boolean critical;

        private Builder(String name) {
            if (name == null || !name.matches("[a-z][a-z0-9_]{0,63}")) {
                throw new IllegalArgumentException("data source name must be lower_snake_case (a letter, then letters,"
                        + " digits or _, at most 64), was " + (name == null ? "null" : "'" + name + "'"));
            }
            this.name = name;
        }

        private Builder(Builder other) {
            this.name = other.name;
            this.hikari = other.hikari;
            this.checkoutTimeout = other.checkoutTimeout;
            this.breakerConfig = other.breakerConfig;
            this.leakThreshold = other.leakThreshold;
            this.critical = other.critical;
        }

        /**
         * The HikariCP pool to protect: its database ({@code jdbcUrl}, {@code dataSource} or
         * {@code dataSourceClassName}), credentials, sizes, lifetimes and connection settings. It
         * is copied now; later changes to {@code config} have no effect.
         *
         * @throws IllegalArgumentException if it names no database, names one through JNDI (not
         *                                  supported), or its {@code maximumPoolSize} is below 1
         */
        public Builder hikari(HikariConfig config) {
            Objects.requireNonNull(config, "config");
            if (config.getDataSourceJNDI() != null) {
                throw new IllegalArgumentException("hikari config of data source " + name
                        + ": dataSourceJNDI is not supported, was '" + config.getDataSourceJNDI() + "'; look the DataSource up and set it");
            }
            if (config.getDataSource() == null && config.getJdbcUrl() == null && config.getDataSourceClassName() == null) {
                throw new IllegalArgumentException("hikari config of data source " + name
                        + " names no database: set jdbcUrl, dataSource or dataSourceClassName");
            }
            if (config.getMaximumPoolSize() < 1) {
                throw new IllegalArgumentException("hikari config of data source " + name
                        + ": maximumPoolSize must be at least 1, was " + config.getMaximumPoolSize());
            }
            HikariConfig copy = new HikariConfig();
            config.copyStateTo(copy);
            this.hikari = copy;
            return this;
        }

        /**
         * How long a checkout waits for a free connection before 7101 (default 1 s); it replaces
         * HikariCP's {@code connectionTimeout}.
         *
         * @throws IllegalArgumentException if below {@link #MIN_CHECKOUT_TIMEOUT} (HikariCP's floor)
         */
        public Builder checkoutTimeout(Duration timeout) {
            Durations.requirePositive("checkoutTimeout", timeout);
            if (timeout.compareTo(MIN_CHECKOUT_TIMEOUT) < 0) {
                throw new IllegalArgumentException("checkoutTimeout must be at least " + MIN_CHECKOUT_TIMEOUT.toMillis()
                        + " ms (HikariCP's floor), was " + timeout);
            }
            this.checkoutTimeout = timeout;
            return this;
        }

        /** The breaker on connection attempts (default {@link #DEFAULT_BREAKER}). */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            this.breakerConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Reports a connection held longer than {@code threshold} as {@code pool.leak_suspected}
         * with the stack trace of its checkout (once per checkout). Off by default, or HikariCP's
         * {@code leakDetectionThreshold} when that is set. Capturing the stack costs a few
         * microseconds per checkout.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder leakThreshold(Duration threshold) {
            this.leakThreshold = Durations.requirePositive("leakThreshold", threshold);
            return this;
        }

        /** Marks the data source critical: its health is DOWN, not DEGRADED, while exhausted or unreachable. */
        public Builder critical() {
            this.critical = true;
            return this;
        }

        /**
         * The data source as a module: installed with {@code Infrastructure.builder().install(...)},
         * it registers the 71xx codes and the pool events (a no-op when the pool module did
         * already), installs its breaker {@code <name>.connect}, starts the HikariCP pool, and
         * registers itself as component {@code <name>} (found by
         * {@code infra.component(ProtectedDataSource.class)} or {@link ProtectedDataSource#named})
         * and as readiness check {@code <name>}. It closes with the infrastructure.
         *
         * @throws IllegalStateException if {@link #hikari} was not given
         */
        public BulwarkModule asModule() {
            if (hikari == null) {
                throw new IllegalStateException("data source " + name + " needs a hikari(config)");
            }
            Builder configured = new Builder(this);
            return new BulwarkModule() {
                @Override
                public String name() {
                    return "data_source_" + configured.name;
                }

                @Override
                public void install(ModuleContext context) {
                    context.errorCodes().register(PoolErrorCode.class);
                    context.telemetry().declare(PoolEvents.all());
                    ProtectedDataSource dataSource = new ProtectedDataSource(configured, context);
                    try {
                        context.register(configured.name, dataSource, dataSource::status, dataSource);
                        context.health().register(configured.name, dataSource::health, HealthGroup.READINESS);
                    } catch (RuntimeException e) {
                        dataSource.close();
                        throw e;
                    }
                }

                @Override
                public String toString() {
                    return "ProtectedDataSource module[" + configured.name + "]";
                }
            };
        }
    }
}
