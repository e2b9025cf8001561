package dev.bulwark.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.redis.internal.ScriptExecutor;
import dev.bulwark.redis.support.RequiresRedisCluster;
import dev.bulwark.redis.support.TestRedisCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A limit holds for a fleet on a Redis Cluster: three JVMs with four threads each acquire, each
 * thread in its own random order, on one hot key per algorithm (limit 50) and on twenty keys per
 * algorithm spread over the three masters by their hash tags (limit 5), at the same time; every
 * key is admitted exactly the algorithm's bound, no more, no less. The window is an hour (the fast,
 * batched script; one batch in flight per process and slot, so that a process's threads share
 * batches on the hot keys): no unit refills during the run, except that a run crossing the hour may
 * see the fixed window admit twice the limit and the sliding window one more; the leaky bucket
 * admits one unit per window / limit, bursts never.
 */
@RequiresRedisCluster
class ClusterMultiProcessTest {

    private static final int PROCESSES = 3;
    private static final int THREADS = 4;
    private static final long HOT_LIMIT = 50;
    private static final long SPREAD_LIMIT = 5;
    private static final int SPREAD_KEYS = 20;
    private static final Duration WINDOW = Duration.ofHours(1);

    private TestRedisCluster redis;

    @BeforeEach
    void setUp() {
        redis = new TestRedisCluster();
    }

    @AfterEach
    void tearDown() {
        redis.close();
    }

    @Test
    void threeProcessesAdmitExactlyEachAlgorithmsBoundOnOneHotKeyAndOnKeysAllOverTheCluster() throws Exception {
        List<String> args = new ArrayList<>(List.of(ClusterWorker.seeds(redis.seeds()), "prefix=" + redis.prefix(),
                "threads=" + THREADS, "policy=FAIL_CLOSED", "timeoutMs=10000", "passes=6", "inflight=1"));
        Set<Integer> slots = new HashSet<>();
        for (Algorithm a : Algorithm.values()) {
            args.add(ClusterWorker.group("hot", a, HOT_LIMIT, WINDOW, List.of("hot-" + a.name())));
            List<String> spread = new ArrayList<>();
            for (int i = 0; i < SPREAD_KEYS; i++) {
                spread.add(a.name() + "-" + i);
                slots.add(ScriptExecutor.slot(redis.prefix() + "{" + a.name() + "-" + i + "}:spread"));
            }
            args.add(ClusterWorker.group("spread", a, SPREAD_LIMIT, WINDOW, spread));
        }
        assertThat(mastersOf(slots)).as("masters serving the spread keys").hasSize(3);

        long hourBefore = serverHour();
        try (WorkerFleet fleet = new WorkerFleet(PROCESSES, ClusterWorker.class, args)) {
            fleet.tell("go");
            fleet.collect(120);
            boolean crossed = serverHour() != hourBefore;

            assertThat(fleet.errors).as("caller errors").isEmpty();
            assertThat(fleet.sum("policy")).as("decisions by the failure policy").isZero();
            assertThat(fleet.sum("batchCalls")).as("script calls for %d batched decisions", fleet.sum("batchedRequests"))
                    .isPositive().isLessThan(fleet.sum("batchedRequests"));
            for (Algorithm a : Algorithm.values()) {
                assertThat(fleet.key("hot", "hot-" + a.name()).admitted()).as("hot key, " + a)
                        .isEqualTo(bound(a, HOT_LIMIT, crossed));
                for (int i = 0; i < SPREAD_KEYS; i++) {
                    assertThat(fleet.key("spread", a.name() + "-" + i).admitted()).as("spread key " + i + ", " + a)
                            .isEqualTo(bound(a, SPREAD_LIMIT, crossed));
                }
            }
        }
    }

    private static long bound(Algorithm a, long limit, boolean crossedTheHour) {
        return switch (a) {
            case FIXED_WINDOW -> crossedTheHour ? 2 * limit : limit;
            case SLIDING_WINDOW, TOKEN_BUCKET, GCRA -> limit;
            case LEAKY_BUCKET -> 1;
        };
    }

    private Set<String> mastersOf(Set<Integer> slots) {
        Set<String> masters = new HashSet<>();
        for (Integer slot : slots) {
            masters.add(redis.connection().getPartitions().getMasterBySlot(slot).getNodeId());
        }
        return masters;
    }

    private long serverHour() {
        return Long.parseLong(redis.commands().time().get(0)) / 3600;
    }
}
