package dev.bulwark.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.FailurePolicy;
import dev.bulwark.redis.RedisLimitStore;
import dev.bulwark.redis.internal.ScriptExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slots migrate while a fleet decides on their keys: three JVMs with four threads each acquire on
 * keys of the slots being moved (and on keys elsewhere), failing closed, while
 * {@code redis-cli --cluster reshard} moves those 200 slots from one master to another and back,
 * twice over. Claim (docs/redis.md, "Resharding"): no over-admission at all, and no caller
 * error: at every instant each key is served by exactly one node (the source until MIGRATE has moved
 * it with its TTL, then the target after ASK), a decision is one script on that node, and a batch
 * refused with TRYAGAIN (its slot half moved) is decided again key by key.
 *
 * <p>The check is exact both ways: after the run, a store of the test acquires {@code L} more times on
 * every key; what the workers and the test were admitted together is exactly the algorithm's bound.
 * Runs on a private cluster (ports 7311-7316), started and stopped by {@code cluster.sh}.
 */
class ClusterReshardTest {

    private static final int BASE_PORT = 7311;
    private static final int MOVED_SLOTS = 200;
    private static final int ROUND_TRIPS = 2;
    private static final long LIMIT = 5;
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final List<Algorithm> ALGORITHMS = List.of(Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW,
            Algorithm.TOKEN_BUCKET);

    private static PrivateCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PrivateCluster.start(BASE_PORT);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void slotsMovedUnderLoadLoseNoStateAndFailNoCaller() throws Exception {
        String prefix = "bulwark-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        // many keys per moved slot (about 9), each admitted a few times, so that writes go on while slots
        // move and batches of one slot hold several keys (which a half-moved slot refuses with TRYAGAIN)
        List<String> moving = entitiesInSlots(0, MOVED_SLOTS, 600);
        List<String> staying = entitiesInSlots(8000, 9000, 60);
        PrivateCluster.Node source = cluster.masterOf(0, BASE_PORT);
        PrivateCluster.Node target = cluster.nodes(BASE_PORT).stream()
                .filter(n -> n.master() && !n.id().equals(source.id())).findFirst().orElseThrow();

        List<String> args = new ArrayList<>(List.of(ClusterWorker.seeds(cluster.seeds()), "prefix=" + prefix,
                "threads=4", "policy=FAIL_CLOSED", "timeoutMs=2000", "passes=0", "inflight=1"));
        for (Algorithm a : ALGORITHMS) {
            args.add(ClusterWorker.group("moving-" + a.name(), a, LIMIT, WINDOW, moving));
            args.add(ClusterWorker.group("staying-" + a.name(), a, LIMIT, WINDOW, staying));
        }
        long hourBefore = System.currentTimeMillis() / 3_600_000;
        long reshardMillis;
        long reshardStart;
        try (WorkerFleet fleet = new WorkerFleet(3, ClusterWorker.class, args)) {
            fleet.tell("go");
            long start = System.nanoTime();
            reshardStart = System.currentTimeMillis();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                cluster.reshard(source, target, MOVED_SLOTS);
                assertThat(cluster.masterOf(0, BASE_PORT).id()).isEqualTo(target.id());
                cluster.reshard(target, source, MOVED_SLOTS);
                assertThat(cluster.masterOf(0, BASE_PORT).id()).isEqualTo(source.id());
            }
            reshardMillis = (System.nanoTime() - start) / 1_000_000;
            fleet.tell("stop");
            fleet.collect(60);

            assertThat(fleet.errors).as("caller errors, failing closed, while slots moved").isEmpty();
            assertThat(fleet.sum("moved") + fleet.sum("ask")).as("redirections Lettuce followed").isPositive();
            assertThat(fleet.sum("policy")).as("decisions by the failure policy").isZero();
            long workerAdmissions = fleet.keys.values().stream().mapToLong(WorkerFleet.KeyTotals::admitted).sum();
            assertThat(workerAdmissions).as("admissions during the resharding").isPositive();

            boolean crossed = System.currentTimeMillis() / 3_600_000 != hourBefore;
            try (RedisLimitStore store = ClusterStores.connected(RedisLimitStore.builder().cluster(cluster.seeds())
                    .keyPrefix(prefix).failurePolicy(FailurePolicy.FAIL_CLOSED).commandTimeout(Duration.ofSeconds(5))
                    .build())) {
                for (Algorithm a : ALGORITHMS) {
                    RateLimit rule = RateLimit.of(LIMIT, WINDOW, a);
                    for (String group : List.of("moving-" + a.name(), "staying-" + a.name())) {
                        List<String> entities = group.startsWith("moving") ? moving : staying;
                        List<CompletableFuture<Long>> more = new ArrayList<>();
                        for (String entity : entities) {
                            more.add(admittedOf(store, entity, group, rule, LIMIT));
                        }
                        for (int i = 0; i < entities.size(); i++) {
                            long total = fleet.key(group, entities.get(i)).admitted() + more.get(i).join();
                            assertBound(a, total, crossed, group + " " + entities.get(i));
                        }
                    }
                }
            }
            System.out.printf("resharding: %d x 2 moves of %d slots in %d ms; %d admissions by the workers, the last "
                    + "%d ms after the resharding began; %d MOVED and %d ASK redirections followed; %d batched requests "
                    + "re-sent alone after TRYAGAIN%n", ROUND_TRIPS, MOVED_SLOTS, reshardMillis, workerAdmissions,
                    fleet.extreme("lastAdmittedMs", true) - reshardStart, fleet.sum("moved"), fleet.sum("ask"),
                    fleet.sum("slotRetries"));
        }
    }

    /** How many of {@code attempts} acquisitions, one after the other, are admitted. */
    static CompletableFuture<Long> admittedOf(RedisLimitStore store, String entity, String group, RateLimit rule,
                                              long attempts) {
        CompletableFuture<Long> count = CompletableFuture.completedFuture(0L);
        for (int i = 0; i < attempts; i++) {
            count = count.thenCompose(n -> store.acquireAsync(entity, group, List.of(rule), 1)
                    .thenApply(d -> d.allowed() ? n + 1 : n));
        }
        return count;
    }

    private static void assertBound(Algorithm a, long total, boolean crossed, String key) {
        if (!crossed || a == Algorithm.TOKEN_BUCKET || a == Algorithm.GCRA) {
            assertThat(total).as("admitted on " + key).isEqualTo(LIMIT);
        } else if (a == Algorithm.FIXED_WINDOW) {
            assertThat(total).as("admitted on " + key + " (across the hour)").isBetween(LIMIT, 2 * LIMIT);
        } else {
            assertThat(total).as("admitted on " + key + " (across the hour)").isBetween(LIMIT, LIMIT + 1);
        }
    }

    /** {@code count} entity names whose hash slot lies in [from, to). */
    static List<String> entitiesInSlots(int from, int to, int count) {
        List<String> found = new ArrayList<>();
        for (int i = 0; found.size() < count; i++) {
            String entity = "e" + i;
            int slot = ScriptExecutor.slot("{" + entity + "}");
            if (slot >= from && slot < to) {
                found.add(entity);
            }
        }
        return found;
    }
}
