package dev.bulwark.benchmarks.redis;

import dev.bulwark.ratelimit.Algorithm;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decisions per second on a Redis Cluster against one Redis server, in one run: Bulwark's store
 * (token bucket, batched and unbatched) and Bucket4j's Lettuce proxy manager on the project's local
 * cluster ({@code bulwark-redis/src/test/cluster/cluster.sh start}, 3 masters + 3 replicas on
 * 7301-7306) and on the single Redis at 6379, with the bare INCR script on each as the ceiling of one
 * round trip; 1, 8 and 64 callers; one hot key and random keys. The measurement is
 * {@link RedisLimitBenchmark}'s (warm-up, fixed time, HdrHistogram, round trips counted by Lettuce).
 *
 * <pre>
 * java -cp bulwark-benchmarks/target/bulwark-benchmarks.jar dev.bulwark.benchmarks.redis.RedisClusterBenchmark \
 *      [uri=redis://127.0.0.1:6379] [seeds=redis://127.0.0.1:7301,redis://127.0.0.1:7302,redis://127.0.0.1:7303]
 *      [seconds=3] [warmup=1] [callers=1,8,64] [keys=100000] [workloads=hot,random] [only=...] [prewarm=2]
 * </pre>
 */
public final class RedisClusterBenchmark {

    private static final long LIMIT = 1_000_000;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    private interface Factory {
        Contender create(ClientResources resources, String prefix);
    }

    private RedisClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new java.util.HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        String uri = o.getOrDefault("uri", "redis://127.0.0.1:6379");
        List<String> seeds = List.of(o.getOrDefault("seeds",
                "redis://127.0.0.1:7301,redis://127.0.0.1:7302,redis://127.0.0.1:7303").split(","));
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "3"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "1"));
        double prewarm = Double.parseDouble(o.getOrDefault("prewarm", "2"));
        int keys = Integer.parseInt(o.getOrDefault("keys", "100000"));
        String workloads = o.getOrDefault("workloads", "hot,random");
        List<String> only = List.of(o.getOrDefault("only", "").split(","));
        List<Integer> levels = new ArrayList<>();
        for (String c : o.getOrDefault("callers", "1,8,64").split(",")) {
            levels.add(Integer.parseInt(c.trim()));
        }
        String run = "bulwark-bench:" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";

        CommandCounter counter = new CommandCounter();
        ClientResources resources = ClientResources.builder().commandLatencyRecorder(counter).build();
        List<RedisLimitBenchmark.Cell> cells = new ArrayList<>();
        List<Factory> contenders = List.of(
                (r, p) -> BareScriptContender.counter(r, uri, p, LIMIT, WINDOW.toMillis()),
                (r, p) -> new BulwarkContender(r, uri, p, LIMIT, WINDOW, Algorithm.TOKEN_BUCKET, true),
                (r, p) -> new BulwarkContender(r, uri, p, LIMIT, WINDOW, Algorithm.TOKEN_BUCKET, true, false),
                (r, p) -> new Bucket4jContender(r, uri, p, LIMIT, WINDOW),
                (r, p) -> ClusterContenders.bareCounter(r, seeds, p, LIMIT, WINDOW.toMillis()),
                (r, p) -> ClusterContenders.bulwark(r, seeds, p, LIMIT, WINDOW, Algorithm.TOKEN_BUCKET, true),
                (r, p) -> ClusterContenders.bulwark(r, seeds, p, LIMIT, WINDOW, Algorithm.TOKEN_BUCKET, false),
                (r, p) -> ClusterContenders.bucket4j(r, seeds, p, LIMIT, WINDOW));
        try {
            int n = 0;
            Supplier<String> hot = () -> "hot";
            Supplier<String> random = () -> "k" + ThreadLocalRandom.current().nextInt(keys);
            for (Factory f : contenders) {   // compile every path before anything is measured
                try (Contender c = f.create(resources, run + (n++) + ":")) {
                    if (selected(only, c)) {
                        for (int callers : List.of(1, 8)) {
                            RedisLimitBenchmark.measure("JIT warm-up", c, callers, random, prewarm / 2, 0.1, counter);
                        }
                    }
                }
            }
            for (String workload : List.of("one hot key", "random keys (" + keys + ")")) {
                boolean isHot = workload.startsWith("one");
                if (!workloads.contains(isHot ? "hot" : "random")) {
                    continue;
                }
                for (int callers : levels) {
                    for (Factory f : contenders) {
                        try (Contender c = f.create(resources, run + (n++) + ":")) {
                            if (selected(only, c)) {
                                cells.add(RedisLimitBenchmark.measure(workload, c, callers, isHot ? hot : random, warmup,
                                        seconds, counter));
                            }
                        }
                    }
                }
            }
        } finally {
            deleteKeys(resources, uri, seeds, run);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
        print(cells);
    }

    private static boolean selected(List<String> only, Contender c) {
        return only.stream().anyMatch(c.name().toLowerCase(Locale.ROOT)::contains);
    }

    private static void print(List<RedisLimitBenchmark.Cell> cells) {
        System.out.println();
        System.out.println("| workload | callers | contender | decisions/s | p50 µs | p99 µs | round trips / decision |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|");
        for (RedisLimitBenchmark.Cell c : cells) {
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %.0f | %.0f | %.2f |%n", c.workload(), c.callers(),
                    c.contender(), c.perSecond(), c.p50Micros(), c.p99Micros(), c.roundTrips());
        }
    }

    private static void deleteKeys(ClientResources resources, String uri, List<String> seeds, String prefix) {
        RedisLimitBenchmark.deleteKeys(resources, uri, prefix);
        RedisClusterClient client = RedisClusterClient.create(resources, seeds.stream().map(RedisURI::create).toList());
        try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
            ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
            KeyScanCursor<String> cursor = c.sync().scan(match);
            long deleted = 0;
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    deleted += c.sync().unlink(cursor.getKeys().toArray(new String[0]));
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = c.sync().scan(cursor, match);
            }
            System.out.println("deleted " + deleted + " benchmark keys under " + prefix + " on the cluster");
        } finally {
            client.shutdown();
        }
    }
}
