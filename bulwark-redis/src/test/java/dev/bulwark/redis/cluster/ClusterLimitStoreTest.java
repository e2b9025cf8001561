package dev.bulwark.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.State;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.FailurePolicy;
import dev.bulwark.redis.RedisLimitStore;
import dev.bulwark.redis.internal.LimitScriptProtocol;
import dev.bulwark.redis.internal.ScriptExecutor;
import dev.bulwark.redis.support.RequiresRedisCluster;
import dev.bulwark.redis.support.TestRedisCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limit store on the Redis Cluster: routing by slot, a breaker per master, NOSCRIPT per node, batches per slot. */
@RequiresRedisCluster
class ClusterLimitStoreTest {

    private static final RateLimit FIVE = RateLimit.of(5, Duration.ofHours(1), Algorithm.FIXED_WINDOW);

    private final TestRedisCluster redis = new TestRedisCluster();
    private RedisLimitStore store;

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        redis.close();
    }

    private RedisLimitStore.Builder builder() {
        return RedisLimitStore.builder().cluster(redis.seeds()).keyPrefix(redis.prefix())
                .failurePolicy(FailurePolicy.FAIL_CLOSED).commandTimeout(Duration.ofSeconds(2));
    }

    @Test
    void keysSpreadOverTheMastersAndEachMasterGetsABreakerOfItsOwn() {
        store = ClusterStores.connected(builder().build());
        Set<String> masters = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            assertThat(store.acquire("user-" + i, "search", List.of(FIVE), 1).allowed()).isTrue();
            String key = redis.prefix() + "{user-" + i + "}:search";
            RedisClusterNode master = redis.connection().getPartitions().getMasterBySlot(ScriptExecutor.slot(key));
            masters.add(master.getUri().getHost() + ":" + master.getUri().getPort());
            assertThat(redis.connection().getConnection(master.getNodeId()).sync().exists(key))
                    .as(key + " lives on the master of its slot").isEqualTo(1);
        }
        assertThat(masters).hasSize(3);
        RedisLimitStore.Status status = store.status();
        assertThat(status.cluster()).isTrue();
        assertThat(status.connected()).isTrue();
        assertThat(status.redisDecisions()).isEqualTo(30);
        assertThat(status.policyDecisions()).isZero();
        assertThat(status.nodes()).extracting(RedisLimitStore.Node::address).containsExactlyInAnyOrderElementsOf(masters);
        assertThat(status.nodes()).allSatisfy(n -> assertThat(n.circuitState()).isEqualTo(State.CLOSED));
        assertThat(store.nodeCircuitBreakers().keySet()).isEqualTo(masters);
        assertThat(store.nodeCircuitBreakers().values()).allSatisfy(b -> assertThat(b.name()).startsWith("redis-limit-store@"));
    }

    @Test
    void everyKeyOfAnEntityIsInOneSlotSoAMultiRuleCheckAndAllItsOperationsStayOnOneNode() {
        store = ClusterStores.connected(builder().build());
        Set<Integer> slots = new HashSet<>();
        for (String op : List.of("search", "login", "export", "a:b{c}")) {
            assertThat(store.acquire("user:42", op, List.of(FIVE, RateLimit.of(100, Duration.ofDays(1))), 1).allowed()).isTrue();
            slots.add(ScriptExecutor.slot(redis.prefix() + "{user\\:42}:" + op));
        }
        assertThat(slots).hasSize(1);
        assertThat(store.reset("user:42", "search")).isTrue();
        assertThat(store.inspect("user:42", "login")).hasSize(2);
    }

    @Test
    void aNodeThatForgotItsScriptsLoadsThemAgainOnNoscript() {
        store = ClusterStores.connected(builder().build());
        String key = redis.prefix() + "{noscript}:op";
        RedisClusterNode master = redis.connection().getPartitions().getMasterBySlot(ScriptExecutor.slot(key));
        assertThat(store.acquire("noscript", "op", List.of(FIVE), 1).allowed()).isTrue();
        try (RedisClient direct = RedisClient.create(RedisURI.create("redis://" + master.getUri().getHost() + ":"
                + master.getUri().getPort()));
             StatefulRedisConnection<String, String> node = direct.connect()) {
            // the store's script is on this node; flush this node's script cache alone
            assertThat(node.sync().scriptExists(LimitScriptProtocol.FAST.sha1())).containsExactly(true);
            node.sync().scriptFlush();
            assertThat(node.sync().scriptExists(LimitScriptProtocol.FAST.sha1())).containsExactly(false);

            Decision d = store.acquire("noscript", "op", List.of(FIVE), 1);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(3);
            assertThat(node.sync().scriptExists(LimitScriptProtocol.FAST.sha1())).containsExactly(true);
        }
        assertThat(store.status().policyDecisions()).isZero();
    }

    @Test
    void aBurstOverManySlotsIsBatchedPerSlotAndDecidedExactly() {
        store = ClusterStores.connected(builder().maxBatchesInFlight(1).build());
        List<CompletableFuture<Decision>> decisions = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            for (int e = 0; e < 16; e++) {
                for (String op : List.of("a", "b")) {   // two keys per slot: a batch of a slot may hold both
                    decisions.add(store.acquireAsync("burst-" + e, op, List.of(FIVE), 1).toCompletableFuture());
                }
            }
        }
        long admitted = decisions.stream().map(CompletableFuture::join).filter(Decision::allowed).count();
        assertThat(admitted).as("16 entities x 2 operations x limit 5").isEqualTo(16 * 2 * 5);
        RedisLimitStore.Status status = store.status();
        assertThat(status.policyDecisions()).isZero();
        assertThat(status.batchCalls()).as("calls for %d requests", status.batchedRequests()).isLessThan(status.batchedRequests());
    }

    @Test
    void installedAsAModuleOnAClusterItIsTheLimitersStore() {
        try (Infrastructure infra = Infrastructure.builder().install(builder().asModule()).build()) {
            RedisLimitStore installed = ClusterStores.connected(infra.component(RedisLimitStore.class).orElseThrow());
            for (int i = 0; i < 5; i++) {
                assertThat(infra.rateLimiter().checkRate("module-user", "op", FIVE).isOk()).isTrue();
            }
            assertThat(infra.rateLimiter().checkRate("module-user", "op", FIVE).isOk()).isFalse();
            RedisLimitStore.Status status = infra.status()
                    .component(RedisLimitStore.Builder.COMPONENT_NAME, RedisLimitStore.Status.class).orElseThrow();
            assertThat(status.cluster()).isTrue();
            assertThat(status.nodes()).hasSize(1);
            assertThat(infra.circuitBreakers().list()).anyMatch(n -> n.startsWith("redis-limit-store@"));
            assertThat(installed.status().redisDecisions()).isGreaterThanOrEqualTo(5);
        }
    }
}
