package dev.bulwark.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeyedPoolTest {

    /** A resource of one shard. */
    record Connection(String shard, int serial) {
    }

    private final ManualClock clock = new ManualClock();
    private final ConcurrentHashMap<String, AtomicInteger> made = new ConcurrentHashMap<>();
    private Infrastructure infra;
    private TelemetryCapture events;
    private KeyedPool<String, Connection> pool;

    @BeforeEach
    void start() {
        KeyedResourceFactory<String, Connection> factory = shard ->
                new Connection(shard, made.computeIfAbsent(shard, s -> new AtomicInteger()).incrementAndGet());
        infra = Infrastructure.builder().clock(clock)
                .install(Pools.builder().keyedPool("shards", factory, PoolFixture.config().maxSize(2).maxOverflow(1)
                        .overflowLinger(Duration.ofSeconds(10)).build()).asModule())
                .build();
        events = TelemetryCapture.all(infra.telemetry());
        pool = infra.component(Pools.class).orElseThrow().keyedPool("shards");
    }

    @AfterEach
    void stop() {
        assertThat(events.undeclared()).isEmpty();
        events.close();
        infra.close();
    }

    @Test
    void eachKeyHasItsOwnCapAndAnExhaustedKeyNeverHoldsUpAnother() {
        List<Lease<Connection>> a = List.of(pool.checkout("a", Duration.ZERO).getOrThrow(),
                pool.checkout("a", Duration.ZERO).getOrThrow(), pool.checkout("a", Duration.ZERO).getOrThrow());
        InfraError full = pool.checkout("a", Duration.ZERO).errValue().orElseThrow();
        assertThat(full.errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);
        assertThat(pool.size("a")).isEqualTo(3);
        assertThat(pool.status("a").exhausted()).isTrue();

        Lease<Connection> b = pool.checkout("b", Duration.ZERO).getOrThrow();
        assertThat(b.resource().shard()).isEqualTo("b");
        assertThat(pool.status("b").exhausted()).isFalse();
        assertThat(pool.status().active()).isEqualTo(4);

        a.forEach(Lease::checkin);
        b.checkin();
        clock.advance(Duration.ofSeconds(10));
        pool.maintain();
        assertThat(pool.size("a")).as("key a's overflow resource expired after its linger").isEqualTo(2);
        assertThat(pool.size("b")).isEqualTo(1);
        PoolStatus all = pool.status();
        assertThat(all.created() - all.destroyed()).isEqualTo(all.idle() + all.active());
    }

    @Test
    void aWaiterOfOneKeyIsServedWhenThatKeyGivesBack() throws Exception {
        Lease<Connection> first = pool.checkout("a", Duration.ZERO).getOrThrow();
        Lease<Connection> second = pool.checkout("a", Duration.ZERO).getOrThrow();
        Lease<Connection> third = pool.checkout("a", Duration.ZERO).getOrThrow();
        CompletableFuture<Result<Lease<Connection>>> waiting = PoolTest.inThread(() -> pool.checkout("a", Duration.ofSeconds(5)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.status("a").waiters() == 1);
        pool.checkout("b", Duration.ZERO).getOrThrow().checkin();
        assertThat(waiting).as("key b's give-back is not key a's").isNotDone();
        second.checkin();
        assertThat(waiting.get(5, TimeUnit.SECONDS).getOrThrow().resource().shard()).isEqualTo("a");
        first.checkin();
        third.checkin();
    }

    @Test
    void withResourceRunsOnTheKeysResource() {
        assertThat(pool.withResource("c", Connection::shard).getOrThrow()).isEqualTo("c");
        assertThatThrownBy(() -> pool.checkout(null, Duration.ZERO)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key");
    }
}
