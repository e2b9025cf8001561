package dev.bulwark.benchmarks.ratelimit;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.time.ManualClock;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retained heap per live rate-limit key, key strings excluded, measured the same way for Bulwark's
 * in-memory store and for Bucket4j buckets in a {@code ConcurrentHashMap}.
 *
 * <p>Method: the {@code N} entity-id strings are created first and stay referenced for the whole
 * run. For each contender the program forces full GCs, reads the used heap, creates {@code N} live
 * keys (one permit taken on each; nothing expires: Bulwark's clock is a {@code ManualClock} that does
 * not move), forces full GCs again and reads the used heap. The difference divided by {@code N} is
 * what the structure retains per key: state, table slots, map nodes, bucket objects; the key strings
 * themselves are in both readings and cancel out.
 *
 * <pre>
 * java -Xms3g -Xmx3g -XX:+UseParallelGC -cp bulwark-benchmarks/target/bulwark-benchmarks.jar \
 *      dev.bulwark.benchmarks.ratelimit.HeapPerKey 1000000
 * </pre>
 */
public final class HeapPerKey {

    private HeapPerKey() {
    }

    public static void main(String[] args) throws InterruptedException {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String[] entityIds = new String[keys];
        for (int i = 0; i < keys; i++) {
            entityIds[i] = "user-" + i;
        }
        System.out.printf(Locale.ROOT, "%,d live keys; JVM %s, %s%n", keys, System.getProperty("java.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments());

        List<String> rows = new ArrayList<>();
        for (Algorithm algorithm : List.of(Algorithm.SLIDING_WINDOW, Algorithm.FIXED_WINDOW, Algorithm.TOKEN_BUCKET,
                Algorithm.GCRA, Algorithm.LEAKY_BUCKET)) {
            rows.add(measure("Bulwark InMemoryLimitStore, " + algorithm.name().toLowerCase(Locale.ROOT)
                    + (algorithm == Algorithm.SLIDING_WINDOW ? " (default)" : ""), keys, () -> bulwark(entityIds, algorithm)));
        }
        rows.add(measure("Bucket4j 8.19 buckets in a ConcurrentHashMap", keys, () -> bucket4j(entityIds)));
        rows.forEach(System.out::println);
        if (entityIds[keys - 1] == null) {
            throw new AssertionError(); // keeps the strings reachable to the end
        }
    }

    private static Object bulwark(String[] entityIds, Algorithm algorithm) {
        InMemoryLimitStore store = InMemoryLimitStore.builder()
                .clock(new ManualClock())
                .maxKeys(entityIds.length)
                .build();
        RateLimit rule = RateLimit.of("api", 100, Duration.ofMinutes(1), algorithm);
        for (String entityId : entityIds) {
            if (store.tryAcquire(entityId, "search", rule, 1) != 0) {
                throw new IllegalStateException("not admitted: " + entityId);
            }
        }
        if (store.keyCount() != entityIds.length) {
            throw new IllegalStateException("expected " + entityIds.length + " keys, store has " + store.keyCount());
        }
        return store;
    }

    private static Object bucket4j(String[] entityIds) {
        ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
        for (String entityId : entityIds) {
            Bucket bucket = buckets.computeIfAbsent(entityId, k -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(100).refillGreedy(100, Duration.ofMinutes(1)).build())
                    .build());
            if (!bucket.tryConsume(1)) {
                throw new IllegalStateException("not admitted: " + entityId);
            }
        }
        return buckets;
    }

    private static String measure(String name, int keys, java.util.function.Supplier<Object> build) throws InterruptedException {
        long before = usedAfterGc();
        Object structure = build.get();
        long after = usedAfterGc();
        double perKey = (after - before) / (double) keys;
        String row = String.format(Locale.ROOT, "%-58s %8.1f bytes/key  (%,d bytes retained)", name, perKey, after - before);
        if (structure.hashCode() == 42) {
            System.out.print(""); // keeps the structure reachable until after the second reading
        }
        return row;
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
