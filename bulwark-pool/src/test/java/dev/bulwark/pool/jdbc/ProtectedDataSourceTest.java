package dev.bulwark.pool.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.pool.PoolErrorCode;
import dev.bulwark.pool.PoolEvents;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ProtectedDataSource on a stub database: the checkout timeout, the connection breaker, close, leaks, events, the module. */
class ProtectedDataSourceTest {

    private static final Duration CHECKOUT_TIMEOUT = Duration.ofMillis(250);

    private final ManualClock clock = new ManualClock();
    private final StubDatabase db = new StubDatabase();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private HikariConfig hikari(int size) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(db);
        config.setMaximumPoolSize(size);
        return config;
    }

    private Infrastructure infra(ProtectedDataSource.Builder builder) {
        Infrastructure infra = Infrastructure.builder().clock(clock).install(builder.asModule()).build();
        toClose.add(infra);
        return infra;
    }

    private ProtectedDataSource dataSource(Infrastructure infra) {
        return infra.component(ProtectedDataSource.class).orElseThrow();
    }

    private static InfraError errorOf(ThrowingCall call) {
        try {
            call.run();
        } catch (SQLException e) {
            return ProtectedDataSource.errorOf(e).orElseThrow(() -> new AssertionError("no InfraError in " + e, e));
        }
        throw new AssertionError("expected an SQLException");
    }

    private interface ThrowingCall {
        void run() throws SQLException;
    }

    @Test
    void anExhaustedPoolAnswers7101AtTheCheckoutTimeoutNotHikarisThirtySeconds() throws Exception {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(2)).checkoutTimeout(CHECKOUT_TIMEOUT));
        ProtectedDataSource ds = dataSource(infra);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry());
             Connection first = ds.getConnection(); Connection second = ds.getConnection()) {
            long start = System.nanoTime();
            SQLException refused = null;
            try {
                ds.getConnection().close();
            } catch (SQLException e) {
                refused = e;
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            assertThat((Throwable) refused).isInstanceOf(ConnectionUnavailableException.class).isInstanceOf(SQLTransientConnectionException.class);
            assertThat(refused.getErrorCode()).isEqualTo(7101);
            InfraError error = ((ConnectionUnavailableException) refused).error();
            assertThat(error.errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);
            assertThat(error.context()).containsEntry("pool", "orders_db").containsEntry("active", 2).containsEntry("max", 2)
                    .containsEntry("reason", "timeout");
            assertThat(error.httpStatus()).isEqualTo(503);
            assertThat(refused.getStackTrace()).isEmpty();
            assertThat(waited).isGreaterThanOrEqualTo(CHECKOUT_TIMEOUT).isLessThan(Duration.ofSeconds(10));
            assertThat(ds.withConnection(c -> "never runs").isOk()).isFalse();

            assertThat(events.named(PoolEvents.CHECKOUT_REJECTED)).hasSize(2).allSatisfy(e -> assertThat(e.metadata())
                    .containsEntry(PoolEvents.POOL, "orders_db").containsEntry(PoolEvents.REASON, "timeout")
                    .containsEntry(PoolEvents.ERROR_CODE, 7101));
            PoolStatus status = ds.status();
            assertThat(status.active()).isEqualTo(2);
            assertThat(status.timeouts()).isEqualTo(2);
            assertThat(status.exhausted()).isTrue();
            assertThat(events.undeclared()).isEmpty();
        }
        // given back, the connections serve again
        assertThat(ds.withConnection(c -> "served")).isEqualTo(Result.ok("served"));
    }

    @Test
    void aDatabaseThatIsDownOpensTheBreakerThenCheckoutsAnswer7102AtOnceAndItRecoversByItself() throws Exception {
        db.down();
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(4)).checkoutTimeout(Duration.ofSeconds(1)));
        ProtectedDataSource ds = dataSource(infra);
        // HikariCP's own threads try to connect; three failures in a row open the breaker
        await().atMost(Duration.ofSeconds(10)).until(() -> ds.circuitBreaker().state() == State.OPEN);
        assertThat(ds.health().status()).isEqualTo(HealthStatus.DEGRADED);

        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            int attemptsBefore = db.attempts.get();
            for (int i = 0; i < 100; i++) {
                long start = System.nanoTime();
                InfraError error = errorOf(ds::getConnection);
                long tookNanos = System.nanoTime() - start;
                assertThat(error.errorCode()).isEqualTo(PoolErrorCode.POOL_RESOURCE_FAILED);
                assertThat(error.context()).containsEntry("reason", "breaker_open");
                assertThat(error.retryAfter()).isPositive();
                // at once: nowhere near the checkout timeout (a loose bound; the benchmark measures it)
                assertThat(Duration.ofNanos(tookNanos)).isLessThan(Duration.ofMillis(500));
            }
            assertThat(ds.withConnection(c -> "never runs")).satisfies(r ->
                    assertThat(((Result.Err<String>) r).error().code()).isEqualTo(7102));
            assertThat(db.attempts.get()).as("the database is not touched while the breaker is open").isEqualTo(attemptsBefore);
            assertThat(events.named(PoolEvents.CHECKOUT_REJECTED)).hasSize(101).allSatisfy(e -> assertThat(e.metadata())
                    .containsEntry(PoolEvents.REASON, "breaker_open").containsEntry(PoolEvents.ERROR_CODE, 7102));
            assertThat(ds.status().rejections()).isEqualTo(101);

            db.up();
            clock.advance(ProtectedDataSource.Builder.DEFAULT_BREAKER.recovery().openDuration().plusMillis(1));
            // HikariCP's next attempt is the trial; its success closes the breaker and fills the pool
            await().atMost(Duration.ofSeconds(15)).until(() -> ds.withConnection(c -> "back").isOk());
            assertThat(ds.circuitBreaker().state()).isEqualTo(State.CLOSED);
            assertThat(ds.health().status()).isEqualTo(HealthStatus.UP);
            assertThat(events.named(PoolEvents.RESOURCE_CREATED)).isNotEmpty();
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void aCriticalDataSourceIsDownWhileItsDatabaseIsUnreachable() {
        db.down();
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(2)).critical());
        ProtectedDataSource ds = dataSource(infra);
        await().atMost(Duration.ofSeconds(10)).until(() -> ds.circuitBreaker().state() == State.OPEN);
        assertThat(ds.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(ds.health().details()).containsEntry("critical", true).containsEntry("breaker", "open");
    }

    @Test
    void anExhaustedPoolWithCallersWaitingIsDegraded() throws Exception {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(1)).checkoutTimeout(Duration.ofSeconds(5)));
        ProtectedDataSource ds = dataSource(infra);
        try (Connection held = ds.getConnection()) {
            Thread waiter = new Thread(() -> ds.withConnection(c -> "after the holder"));
            waiter.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> ds.status().waiters() == 1);
            assertThat(ds.health().status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(ds.health().details()).containsEntry("waiters", 1).containsEntry("active", 1);
            held.close();
            waiter.join(5_000);
            assertThat(waiter.isAlive()).isFalse();
        }
        assertThat(ds.health().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void afterCloseEveryCheckoutAnswers7103() throws Exception {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(2)));
        ProtectedDataSource ds = dataSource(infra);
        assertThat(ds.withConnection(c -> 1)).isEqualTo(Result.ok(1));
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            clock.advance(Duration.ofSeconds(7));
            ds.close();
            ds.close(); // idempotent

            assertThatThrownBy(ds::getConnection).isInstanceOf(DataSourceClosedException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(7103));
            Result<Integer> result = ds.withConnection(c -> 1);
            assertThat(((Result.Err<Integer>) result).error().errorCode()).isEqualTo(PoolErrorCode.POOL_CLOSED);
            assertThat(((Result.Err<Integer>) result).error().timestamp()).as("dated by the infrastructure's clock at close")
                    .isEqualTo(clock.instant());
            assertThat(((Result.Err<Integer>) result).error().retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
            assertThat(ds.health().status()).isEqualTo(HealthStatus.DOWN);
            assertThat(db.open).as("every physical connection closed").isEmpty();
            assertThat(events.named(PoolEvents.RESOURCE_DESTROYED)).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.metadata()).containsEntry(PoolEvents.REASON, "closed"));
            assertThat(ds.status().created()).isEqualTo(ds.status().destroyed());
            assertThat(infra.circuitBreakers().get(ProtectedDataSource.breakerName("orders_db"))).isEmpty();
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void closingTheInfrastructureClosesTheDataSource() throws Exception {
        Infrastructure infra = Infrastructure.builder().clock(clock)
                .install(ProtectedDataSource.builder("orders_db").hikari(hikari(2)).asModule()).build();
        ProtectedDataSource ds = dataSource(infra);
        assertThat(ds.withConnection(c -> 1).isOk()).isTrue();
        infra.close();
        assertThat(ds.isClosed()).isTrue();
        assertThat(errorOf(ds::getConnection).code()).isEqualTo(7103);
        assertThat(db.open).isEmpty();
    }

    @Test
    void workThatThrowsIs7104WithItsCauseAndTheConnectionGoesBack() {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(1)));
        ProtectedDataSource ds = dataSource(infra);
        IOException boom = new IOException("boom");
        Result<String> result = ds.withConnection(c -> {
            throw boom;
        });
        InfraError error = ((Result.Err<String>) result).error();
        assertThat(error.errorCode()).isEqualTo(PoolErrorCode.POOLED_OPERATION_FAILED);
        assertThat(error.cause()).isSameAs(boom);
        assertThat(ds.status().active()).isZero();
        assertThat(ds.withConnection(c -> "the only connection came back")).isEqualTo(Result.ok("the only connection came back"));
    }

    @Test
    void aVirtualMachineErrorPropagatesAndTheConnectionStillGoesBack() {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(1)));
        ProtectedDataSource ds = dataSource(infra);
        assertThatThrownBy(() -> ds.withConnection(c -> {
            throw new StackOverflowError("deep");
        })).isInstanceOf(StackOverflowError.class);
        assertThat(ds.status().active()).isZero();
    }

    @Test
    void checkoutsAndConnectionsAreAnnounced() throws Exception {
        TelemetryCapture[] capture = new TelemetryCapture[1];
        // attached before the pool starts, to see its first connections created
        Infrastructure withPool = Infrastructure.builder().clock(clock).install(new BulwarkModule() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public void install(ModuleContext context) {
                capture[0] = TelemetryCapture.all(context.telemetry());
            }
        }).install(ProtectedDataSource.builder("orders_db").hikari(hikari(3)).asModule()).build();
        toClose.add(withPool);
        TelemetryCapture events = capture[0];
        ProtectedDataSource ds = dataSource(withPool);
        for (int i = 0; i < 5; i++) {
            assertThat(ds.withConnection(c -> c.isValid(1))).isEqualTo(Result.ok(true));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ds.status().idle() == 3);

        assertThat(events.named(PoolEvents.CHECKED_OUT)).hasSize(5).allSatisfy(e -> {
            assertThat(e.metadata()).containsEntry(PoolEvents.POOL, "orders_db");
            assertThat(e.measurements()).containsKey(PoolEvents.WAIT_NS);
        });
        assertThat(events.named(PoolEvents.RESOURCE_CREATED)).hasSize(3).allSatisfy(e ->
                assertThat(e.metadata()).containsEntry(PoolEvents.REASON, "core"));
        PoolStatus status = ds.status();
        assertThat(status).extracting(PoolStatus::name, PoolStatus::maxSize, PoolStatus::maxOverflow, PoolStatus::active,
                PoolStatus::created, PoolStatus::destroyed).containsExactly("orders_db", 3, 0, 0, 3L, 0L);
        assertThat(withPool.status().component("orders_db", PoolStatus.class)).contains(ds.status());
        assertThat(events.undeclared()).isEmpty();
        events.close();
    }

    @Test
    void aConnectionHeldPastTheLeakThresholdIsReportedOnceWithTheStackOfItsCheckout() throws Exception {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(2)).leakThreshold(Duration.ofSeconds(5)));
        ProtectedDataSource ds = dataSource(infra);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            Connection leaked = ds.getConnection();
            try (Connection returned = ds.getConnection()) {
                assertThat(returned.isValid(1)).isTrue();
            }
            clock.advance(Duration.ofSeconds(4));
            assertThat(ds.checkLeaks()).isZero();
            clock.advance(Duration.ofSeconds(2));
            ds.checkLeaks(); // the scheduler's scan may have reported it already: once either way
            assertThat(ds.checkLeaks()).isZero();

            List<TelemetryCapture.Captured> leaks = events.named(PoolEvents.LEAK_SUSPECTED);
            assertThat(leaks).hasSize(1);
            assertThat(leaks.get(0).measurements().get(PoolEvents.HELD_MS).longValue()).isGreaterThanOrEqualTo(6_000L);
            assertThat(leaks.get(0).metadata()).containsEntry(PoolEvents.POOL, "orders_db");
            assertThat((String) leaks.get(0).metadata().get(PoolEvents.STACK))
                    .startsWith("at " + ProtectedDataSourceTest.class.getName() + ".aConnectionHeldPastTheLeakThreshold");
            assertThat(ds.status().leaks()).isEqualTo(1);
            assertThat(leaked.unwrap(Connection.class)).isNotNull();
            leaked.close();
            assertThat(ds.status().active()).isZero();
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void twoDataSourcesAndThePoolModuleShareTheCodesAndEvents() {
        BulwarkModule poolModuleLike = new BulwarkModule() {
            @Override
            public String name() {
                return "pool_like";
            }

            @Override
            public void install(ModuleContext context) {
                context.errorCodes().register(PoolErrorCode.class);
                context.telemetry().declare(PoolEvents.all());
            }
        };
        Infrastructure infra = Infrastructure.builder().clock(clock).install(poolModuleLike)
                .install(ProtectedDataSource.builder("orders_db").hikari(hikari(1)).asModule())
                .install(ProtectedDataSource.builder("billing_db").hikari(hikari(1)).asModule()).build();
        toClose.add(infra);

        assertThat(infra.components(ProtectedDataSource.class)).extracting(ProtectedDataSource::name)
                .containsExactly("orders_db", "billing_db");
        assertThat(ProtectedDataSource.named(infra, "billing_db")).isPresent();
        assertThat(ProtectedDataSource.named(infra, "nope")).isEmpty();
        assertThat(infra.errorCodes().find(7101)).contains(PoolErrorCode.POOL_EXHAUSTED);
        assertThat(infra.health().readiness().checks()).containsKeys("orders_db", "billing_db");
    }

    @Test
    void theBuilderRejectsBadInputNamingTheValue() {
        assertThatThrownBy(() -> ProtectedDataSource.builder("orders-db")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower_snake_case").hasMessageContaining("'orders-db'");
        assertThatThrownBy(() -> ProtectedDataSource.builder(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was null");
        ProtectedDataSource.Builder builder = ProtectedDataSource.builder("orders_db");
        assertThatThrownBy(builder::asModule).isInstanceOf(IllegalStateException.class).hasMessageContaining("hikari(config)");
        assertThatThrownBy(() -> builder.hikari(new HikariConfig())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no database");
        HikariConfig jndi = new HikariConfig();
        jndi.setDataSourceJNDI("java:comp/env/jdbc/orders");
        assertThatThrownBy(() -> builder.hikari(jndi)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSourceJNDI").hasMessageContaining("java:comp/env/jdbc/orders");
        assertThatThrownBy(() -> builder.checkoutTimeout(Duration.ofMillis(100))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 250 ms").hasMessageContaining("PT0.1S");
        assertThatThrownBy(() -> builder.checkoutTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("checkoutTimeout");
        assertThatThrownBy(() -> builder.checkoutTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("checkoutTimeout");
        assertThatThrownBy(() -> builder.leakThreshold(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leakThreshold");
        assertThatThrownBy(() -> builder.circuitBreaker(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theConfigIsCopiedWhenGiven() {
        HikariConfig config = hikari(2);
        ProtectedDataSource.Builder builder = ProtectedDataSource.builder("orders_db").hikari(config);
        config.setMaximumPoolSize(50);
        Infrastructure infra = infra(builder);
        assertThat(dataSource(infra).status().maxSize()).isEqualTo(2);
    }

    @Test
    void sixtyFourThreadsOnEightConnectionsNeverShareOneAndLoseNone() throws Exception {
        int threads = 64;
        int cycles = 200;
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(8)).checkoutTimeout(CHECKOUT_TIMEOUT));
        ProtectedDataSource ds = dataSource(infra);
        Set<Connection> held = ConcurrentHashMap.newKeySet();
        AtomicInteger heldNow = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger exhausted = new AtomicInteger();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < cycles; i++) {
                    Result<Boolean> result = ds.withConnection(c -> {
                        Connection physical = c.unwrap(Connection.class); // the pooled physical connection
                        if (!held.add(physical)) {
                            wrong.add("handed to two callers at once: " + physical);
                        }
                        mostHeld.accumulateAndGet(heldNow.incrementAndGet(), Math::max);
                        Thread.yield();
                        heldNow.decrementAndGet();
                        held.remove(physical);
                        return true;
                    });
                    if (result.isOk()) {
                        served.incrementAndGet();
                    } else if (((Result.Err<Boolean>) result).error().code() == 7101) {
                        exhausted.incrementAndGet();
                    } else {
                        wrong.add(result.toString());
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join(60_000);
            assertThat(worker.isAlive()).isFalse();
        }

        assertThat(wrong).isEmpty();
        assertThat(served.get() + exhausted.get()).isEqualTo(threads * cycles);
        assertThat(served.get()).isPositive();
        assertThat(mostHeld.get()).isBetween(1, 8);
        PoolStatus status = ds.status();
        assertThat(status.active()).isZero();
        assertThat(status.created() - status.destroyed()).isEqualTo(status.idle() + status.active());
        assertThat(db.open).hasSize(status.idle());
        assertThat(status.timeouts()).isEqualTo(exhausted.get());
    }

    @Test
    void connectionsAboveMinimumIdleAreTheOverflow() throws Exception {
        HikariConfig config = hikari(3);
        config.setMinimumIdle(1);
        TelemetryCapture[] capture = new TelemetryCapture[1];
        Infrastructure infra = Infrastructure.builder().clock(clock).install(new BulwarkModule() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public void install(ModuleContext context) {
                capture[0] = TelemetryCapture.all(context.telemetry());
            }
        }).install(ProtectedDataSource.builder("orders_db").hikari(config).asModule()).build();
        toClose.add(infra);
        ProtectedDataSource ds = dataSource(infra);
        try (Connection a = ds.getConnection(); Connection b = ds.getConnection(); Connection c = ds.getConnection()) {
            PoolStatus status = ds.status();
            assertThat(status.maxSize()).isEqualTo(1);
            assertThat(status.maxOverflow()).isEqualTo(2);
            assertThat(status.overflow()).isEqualTo(2);
            assertThat(status.exhausted()).isTrue();
        }
        assertThat(capture[0].named(PoolEvents.RESOURCE_CREATED)).extracting(e -> e.metadata().get(PoolEvents.REASON))
                .containsExactlyInAnyOrder("core", "overflow", "overflow");
        capture[0].close();
    }

    @Test
    void aJdbcUrlIsOpenedThroughItsDriverWithTheConfiguredCredentials() throws Exception {
        StubDriver driver = new StubDriver(db);
        DriverManager.registerDriver(driver);
        try {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(StubDriver.URL);
            config.setUsername("orders");
            config.setPassword("secret");
            config.addDataSourceProperty("tcpKeepAlive", "true");
            config.setMaximumPoolSize(2);
            Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(config));
            ProtectedDataSource ds = dataSource(infra);

            assertThat(ds.withConnection(c -> c.isValid(1))).isEqualTo(Result.ok(true));
            assertThat(driver.connectProperties).isNotEmpty().allSatisfy(p -> assertThat(p)
                    .containsEntry("user", "orders").containsEntry("password", "secret").containsEntry("tcpKeepAlive", "true"));
            assertThat(db.opened.get()).isEqualTo(driver.connectProperties.size());
        } finally {
            DriverManager.deregisterDriver(driver);
        }
    }

    @Test
    void aCallerInterruptedWhileWaitingGets7101AndKeepsItsInterrupt() throws Exception {
        Infrastructure infra = infra(ProtectedDataSource.builder("orders_db").hikari(hikari(1)).checkoutTimeout(Duration.ofSeconds(30)));
        ProtectedDataSource ds = dataSource(infra);
        AtomicReference<Result<String>> result = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        try (Connection held = ds.getConnection()) {
            Thread waiter = new Thread(() -> {
                result.set(ds.withConnection(c -> "never"));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            waiter.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> ds.status().waiters() == 1);
            waiter.interrupt();
            waiter.join(5_000);
            assertThat(waiter.isAlive()).as("the interrupt ends the wait, long before the 30 s timeout").isFalse();
        }
        InfraError error = ((Result.Err<String>) result.get()).error();
        assertThat(error.errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);
        assertThat(error.context()).containsEntry("reason", "interrupted");
        assertThat(stillInterrupted).isTrue();
        assertThat(ds.status().active()).isZero();
    }
}
