package dev.bulwark.benchmarks.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.pool.jdbc.ConnectionFunction;
import dev.bulwark.pool.jdbc.ConnectionUnavailableException;
import dev.bulwark.pool.jdbc.ProtectedDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JDBC checkout/close cycle on a stub database (connections that do nothing), so that only the
 * pool is measured: bare HikariCP against {@link ProtectedDataSource} over the same HikariCP
 * configuration (target: at most +10 %), and the rejection of a checkout while the connection
 * breaker is open (target: at most 1 µs). Run with {@code -t 1} and {@code -t 2}; the pools have 4
 * connections, so no thread ever waits for one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class JdbcPoolBenchmark {

    private static final int POOL_SIZE = 4;
    private static final ConnectionFunction<Connection> RETURN_IT = c -> c;

    private HikariDataSource hikari;
    private Infrastructure infra;
    private ProtectedDataSource bulwark;
    private ProtectedDataSource unreachable;

    private static HikariConfig config(boolean down) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(new StubDataSource(down));
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        return config;
    }

    @Setup
    public void setUp() throws SQLException {
        hikari = new HikariDataSource(config(false));
        infra = Infrastructure.builder()
                .install(ProtectedDataSource.builder("stub_db").hikari(config(false)).checkoutTimeout(Duration.ofSeconds(1)).asModule())
                .install(ProtectedDataSource.builder("down_db").hikari(config(true))
                        // open for the whole run
                        .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(1).halfOpen(Duration.ofHours(1), 1, 1).build())
                        .asModule())
                .build();
        bulwark = ProtectedDataSource.named(infra, "stub_db").orElseThrow();
        unreachable = ProtectedDataSource.named(infra, "down_db").orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (unreachable.circuitBreaker().state() != dev.bulwark.circuit.State.OPEN) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the breaker of down_db did not open");
            }
            Thread.onSpinWait();
        }
        // fill both pools before measuring
        try (Connection a = hikari.getConnection(); Connection b = bulwark.getConnection()) {
            if (a == null || b == null) {
                throw new IllegalStateException("no connection");
            }
        }
    }

    @TearDown
    public void tearDown() {
        hikari.close();
        infra.close();
    }

    @Benchmark
    public Connection hikariCheckoutClose() throws SQLException {
        Connection c = hikari.getConnection();
        c.close();
        return c;
    }

    @Benchmark
    public Connection bulwarkCheckoutClose() throws SQLException {
        Connection c = bulwark.getConnection();
        c.close();
        return c;
    }

    @Benchmark
    public Result<Connection> bulwarkWithConnection() {
        return bulwark.withConnection(RETURN_IT);
    }

    @Benchmark
    public Object rejectedWhileOpen() {
        try {
            return unreachable.getConnection();
        } catch (ConnectionUnavailableException e) {
            return e;
        } catch (SQLException e) {
            throw new IllegalStateException("expected the 7102 rejection", e);
        }
    }

    @Benchmark
    public Result<Connection> rejectedWhileOpenResult() {
        return unreachable.withConnection(RETURN_IT);
    }
}
