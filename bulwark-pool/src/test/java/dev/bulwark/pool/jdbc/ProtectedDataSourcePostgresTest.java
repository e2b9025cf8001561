package dev.bulwark.pool.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.pool.PoolEvents;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.pool.jdbc.support.PostgresAvailability;
import dev.bulwark.pool.jdbc.support.RequiresPostgres;
import dev.bulwark.testkit.TcpProxy;
import dev.bulwark.testkit.TelemetryCapture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ProtectedDataSource on the real PostgreSQL at 127.0.0.1:5432, through a TCP proxy that the test
 * can cut: 64 threads on 8 connections doing real queries (never more than 8 backends in
 * {@code pg_stat_activity}), then a cut mid-run (7102 at once while the breaker is open) and the
 * recovery once the proxy forwards again.
 */
@RequiresPostgres
class ProtectedDataSourcePostgresTest {

    private static final int MAX_CONNECTIONS = 8;

    private String schema;
    private TcpProxy proxy;
    private Infrastructure infra;

    @BeforeEach
    void createSchemaAndProxy() throws Exception {
        schema = PostgresAvailability.randomSchema("jdbc");
        try (Connection c = PostgresAvailability.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".orders (worker int NOT NULL, seq int NOT NULL, PRIMARY KEY (worker, seq))");
        }
        proxy = new TcpProxy(PostgresAvailability.HOST, PostgresAvailability.PORT);
    }

    @AfterEach
    void dropAll() throws Exception {
        if (infra != null) {
            infra.close();
        }
        proxy.close();
        PostgresAvailability.dropSchema(schema);
    }

    /** The data source through the proxy; its backends carry the schema's name as application_name. */
    private ProtectedDataSource start(Duration checkoutTimeout) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?ApplicationName=" + schema
                + "&connectTimeout=2&socketTimeout=10");
        hikari.setUsername(PostgresAvailability.USER);
        hikari.setMaximumPoolSize(MAX_CONNECTIONS);
        infra = Infrastructure.builder()
                .install(ProtectedDataSource.builder("orders_db").hikari(hikari).checkoutTimeout(checkoutTimeout).asModule())
                .build();
        return ProtectedDataSource.named(infra, "orders_db").orElseThrow();
    }

    private int backends(Connection monitor) throws SQLException {
        try (PreparedStatement st = monitor.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            st.setString(1, schema);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private Integer insertAndCount(Connection c, int worker, int seq) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + schema + ".orders (worker, seq) VALUES (?, ?)")) {
            insert.setInt(1, worker);
            insert.setInt(2, seq);
            insert.executeUpdate();
        }
        try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + schema + ".orders WHERE worker = ?")) {
            count.setInt(1, worker);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void sixtyFourThreadsOnEightConnectionsNeverShowMoreThanEightBackends() throws Exception {
        int threads = 64;
        int cycles = 40;
        ProtectedDataSource ds = start(Duration.ofSeconds(5));
        AtomicInteger served = new AtomicInteger();
        AtomicInteger exhausted = new AtomicInteger();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            for (int t = 0; t < threads; t++) {
                int worker = t;
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < cycles; i++) {
                            int seq = i;
                            Result<Integer> result = ds.withConnection(c -> insertAndCount(c, worker, seq));
                            if (result instanceof Result.Ok<Integer> ok) {
                                served.incrementAndGet();
                                if (ok.value() > seq + 1) {
                                    unexpected.add("worker " + worker + " sees " + ok.value() + " rows after " + (seq + 1));
                                }
                            } else if (((Result.Err<Integer>) result).error().code() == 7101) {
                                exhausted.incrementAndGet();
                            } else {
                                unexpected.add(((Result.Err<Integer>) result).error().toString());
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        done.countDown();
                    }
                }, "orders-worker-" + t);
                thread.start();
            }
            int maxBackends = 0;
            int samples = 0;
            try (Connection monitor = PostgresAvailability.connect()) {
                go.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (done.getCount() > 0 && System.nanoTime() < deadline) {
                    maxBackends = Math.max(maxBackends, backends(monitor));
                    samples++;
                }
                maxBackends = Math.max(maxBackends, backends(monitor));
            }
            assertThat(done.await(1, TimeUnit.SECONDS)).as("every worker finished").isTrue();

            assertThat(unexpected).isEmpty();
            assertThat(served.get() + exhausted.get()).isEqualTo(threads * cycles);
            assertThat(served.get()).isPositive();
            try (Connection c = PostgresAvailability.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".orders")) {
                rs.next();
                assertThat(rs.getInt(1)).as("one row per served call, none lost, none twice").isEqualTo(served.get());
            }
            assertThat(samples).isGreaterThan(5);
            assertThat(maxBackends).as("backends of the pool seen in pg_stat_activity").isBetween(1, MAX_CONNECTIONS);
            PoolStatus status = ds.status();
            assertThat(status.active()).isZero();
            assertThat(status.created() - status.destroyed()).isEqualTo(status.idle() + status.active());
            assertThat(status.idle() + status.active()).isLessThanOrEqualTo(MAX_CONNECTIONS);
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void aCutDatabaseAnswers7102AtOnceWhileTheBreakerIsOpenAndTheDataSourceRecoversWhenItIsBack() throws Exception {
        Duration checkoutTimeout = Duration.ofSeconds(1);
        ProtectedDataSource ds = start(checkoutTimeout);
        int threads = 16;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger rejectedWhileOpen = new AtomicInteger();
        AtomicLong slowestRejectionNanos = new AtomicLong();
        ConcurrentLinkedQueue<InfraError> unexpected = new ConcurrentLinkedQueue<>();
        AtomicInteger seqs = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            for (int t = 0; t < threads; t++) {
                int worker = t;
                Thread thread = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            long start = System.nanoTime();
                            Result<Integer> result = ds.withConnection(c -> insertAndCount(c, worker, seqs.incrementAndGet()));
                            long took = System.nanoTime() - start;
                            if (result.isOk()) {
                                served.incrementAndGet();
                                continue;
                            }
                            InfraError error = ((Result.Err<Integer>) result).error();
                            if (error.code() == 7102 && "breaker_open".equals(error.context().get("reason"))) {
                                rejectedWhileOpen.incrementAndGet();
                                slowestRejectionNanos.accumulateAndGet(took, Math::max);
                                // pace the callers: a rejection costs microseconds, 16 spinning threads would starve the machine
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            } else if (error.code() != 7102 && error.code() != 7104 && error.code() != 7101) {
                                unexpected.add(error);
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                }, "orders-worker-" + t);
                thread.start();
            }
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> served.get() >= 200);

                proxy.cut();
                await().atMost(Duration.ofSeconds(20)).until(() -> ds.circuitBreaker().state() == State.OPEN);
                await().atMost(Duration.ofSeconds(20)).until(() -> rejectedWhileOpen.get() >= 200);
                assertThat(ds.health().status()).isEqualTo(HealthStatus.DEGRADED);

                proxy.restore();
                int servedBeforeRestore = served.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> served.get() >= servedBeforeRestore + 200);
            } finally {
                stop.set(true);
                assertThat(done.await(20, TimeUnit.SECONDS)).as("every worker stopped").isTrue();
            }

            assertThat(unexpected).isEmpty();
            assertThat(Duration.ofNanos(slowestRejectionNanos.get())).as("the slowest rejection while open")
                    .isLessThan(checkoutTimeout.dividedBy(2)); // loose: a loaded machine may preempt a thread for tens of ms
            assertThat(ds.circuitBreaker().state()).isEqualTo(State.CLOSED);
            assertThat(ds.health().status()).isEqualTo(HealthStatus.UP);
            assertThat(ds.status().rejections()).isGreaterThanOrEqualTo(rejectedWhileOpen.get());
            try (Connection monitor = PostgresAvailability.connect()) {
                assertThat(backends(monitor)).isBetween(1, MAX_CONNECTIONS);
            }
            List<String> reasons = events.named(PoolEvents.CHECKOUT_REJECTED).stream()
                    .map(e -> (String) e.metadata().get(PoolEvents.REASON)).distinct().toList();
            assertThat(reasons).contains("breaker_open");
            assertThat(events.undeclared()).isEmpty();
        }
    }
}
