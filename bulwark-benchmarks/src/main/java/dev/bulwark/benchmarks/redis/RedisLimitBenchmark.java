package dev.bulwark.benchmarks.redis;

import dev.bulwark.ratelimit.Algorithm;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Distributed rate limiting on a real Redis, from one JVM: decisions per second, latency (p50,
 * p99) and round trips per decision for Bulwark's {@code RedisLimitStore}, Bucket4j's Lettuce proxy
 * manager on the same token bucket, and a bare one-round-trip Lua script (the ceiling), at 1, 8 and
 * 64 concurrent callers, on one hot key and on random keys.
 *
 * <p>A plain program rather than JMH: what matters is throughput and tail latency under
 * concurrency against a server, so each cell runs its callers for a fixed time (warm-up, then
 * measurement) and every decision's latency goes into an HdrHistogram. Round trips are counted by
 * a Lettuce command-latency recorder on the client resources that every contender shares.
 *
 * <pre>
 * java -cp bulwark-benchmarks/target/bulwark-benchmarks.jar dev.bulwark.benchmarks.redis.RedisLimitBenchmark \
 *      [uri=redis://127.0.0.1:6379] [seconds=3] [warmup=1] [callers=1,8,64] [keys=100000] [abuse=true]
 *      [workloads=hot,random] [only=&lt;parts of contenders' names, comma-separated&gt;] [inflight=&lt;batches in flight&gt;]
 *      [prewarm=4] (seconds per contender, before any measurement, so that the JIT has compiled every path)
 * </pre>
 *
 * Keys live under a random prefix and are deleted at the end (SCAN by prefix, UNLINK).
 */
public final class RedisLimitBenchmark {

    /** A generous limit: nothing is denied, so every contender does its full work per decision. */
    private static final long OPEN_LIMIT = 1_000_000;
    private static final Duration OPEN_WINDOW = Duration.ofSeconds(1);
    /** The abusive case: one key far over its limit. */
    private static final long ABUSE_LIMIT = 100;
    private static final Duration ABUSE_WINDOW = Duration.ofMinutes(1);

    record Cell(String workload, int callers, String contender, double perSecond, double p50Micros,
                        double p99Micros, double roundTrips, double allowedShare, Map<String, Long> commands) {
    }

    private interface Factory {
        Contender create(ClientResources resources, String uri, String prefix);
    }

    private RedisLimitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        String uri = options.getOrDefault("uri", "redis://127.0.0.1:6379");
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "3"));
        double warmup = Double.parseDouble(options.getOrDefault("warmup", "1"));
        double prewarm = Double.parseDouble(options.getOrDefault("prewarm", "4"));
        int keys = Integer.parseInt(options.getOrDefault("keys", "100000"));
        boolean abuse = Boolean.parseBoolean(options.getOrDefault("abuse", "true"));
        List<String> only = List.of(options.getOrDefault("only", "").split(","));
        String workloads = options.getOrDefault("workloads", "hot,random");
        List<Integer> levels = new ArrayList<>();
        for (String c : options.getOrDefault("callers", "1,8,64").split(",")) {
            levels.add(Integer.parseInt(c.trim()));
        }
        BulwarkContender.batchesInFlight = Integer.parseInt(options.getOrDefault("inflight",
                String.valueOf(BulwarkContender.batchesInFlight)));
        String run = "bulwark-bench:" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";

        CommandCounter counter = new CommandCounter();
        ClientResources resources = ClientResources.builder().commandLatencyRecorder(counter).build();
        List<Cell> cells = new ArrayList<>();
        try {
            List<Factory> open = List.of(
                    (r, u, p) -> BareScriptContender.counter(r, u, p, OPEN_LIMIT, OPEN_WINDOW.toMillis()),
                    (r, u, p) -> BareScriptContender.gcra(r, u, p, OPEN_LIMIT, OPEN_WINDOW.toMillis()),
                    (r, u, p) -> new BulwarkContender(r, u, p, OPEN_LIMIT, OPEN_WINDOW, Algorithm.TOKEN_BUCKET, true),
                    (r, u, p) -> new BulwarkContender(r, u, p, OPEN_LIMIT, OPEN_WINDOW, Algorithm.SLIDING_WINDOW, true),
                    (r, u, p) -> new BulwarkContender(r, u, p, OPEN_LIMIT, OPEN_WINDOW, Algorithm.TOKEN_BUCKET, true, false),
                    (r, u, p) -> new BulwarkContender(r, u, p, OPEN_LIMIT, OPEN_WINDOW, Algorithm.SLIDING_WINDOW, true, false),
                    (r, u, p) -> new Bucket4jContender(r, u, p, OPEN_LIMIT, OPEN_WINDOW));
            Supplier<String> hot = () -> "hot";
            Supplier<String> random = () -> "k" + ThreadLocalRandom.current().nextInt(keys);
            int n = 0;
            // Compile every contender's path before any cell is measured: otherwise the first cells
            // of the run (the first contender of each kind at 1 caller) measure the JIT, not the code.
            for (Factory f : open) {
                try (Contender c = f.create(resources, uri, run + (n++) + ":")) {
                    if (only.stream().anyMatch(c.name().toLowerCase(Locale.ROOT)::contains)) {
                        for (int callers : List.of(1, 8)) {
                            measure("JIT warm-up", c, callers, random, prewarm / 2, 0.1, counter);
                        }
                    }
                }
            }
            for (String workload : List.of("one hot key", "random keys (" + keys + ")")) {
                boolean isHot = workload.startsWith("one");
                if (!workloads.contains(isHot ? "hot" : "random")) {
                    continue;
                }
                Supplier<String> key = isHot ? hot : random;
                for (int callers : levels) {
                    for (Factory f : open) {
                        String prefix = run + (n++) + ":";
                        try (Contender c = f.create(resources, uri, prefix)) {
                            if (only.stream().anyMatch(c.name().toLowerCase(Locale.ROOT)::contains)) {
                                cells.add(measure(workload, c, callers, key, warmup, seconds, counter));
                            }
                        }
                    }
                }
            }
            if (abuse) {
                List<Factory> limited = List.of(
                        (r, u, p) -> BareScriptContender.counter(r, u, p, ABUSE_LIMIT, ABUSE_WINDOW.toMillis()),
                        (r, u, p) -> new BulwarkContender(r, u, p, ABUSE_LIMIT, ABUSE_WINDOW, Algorithm.TOKEN_BUCKET, true),
                        (r, u, p) -> new BulwarkContender(r, u, p, ABUSE_LIMIT, ABUSE_WINDOW, Algorithm.TOKEN_BUCKET, false),
                        (r, u, p) -> new Bucket4jContender(r, u, p, ABUSE_LIMIT, ABUSE_WINDOW));
                for (int callers : levels) {
                    for (Factory f : limited) {
                        String prefix = run + (n++) + ":";
                        try (Contender c = f.create(resources, uri, prefix)) {
                            cells.add(measure("abusive hot key (" + ABUSE_LIMIT + "/min)", c, callers, hot, warmup,
                                    seconds, counter));
                        }
                    }
                }
            }
        } finally {
            deleteKeys(resources, uri, run);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
        print(cells);
    }

    static Cell measure(String workload, Contender contender, int callers, Supplier<String> key,
                                double warmupSeconds, double seconds, CommandCounter counter) throws InterruptedException {
        long warmupNanos = (long) (warmupSeconds * 1e9);
        long measureNanos = (long) (seconds * 1e9);
        Histogram[] histograms = new Histogram[callers];
        AtomicLong allowed = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        Thread[] threads = new Thread[callers];
        for (int i = 0; i < callers; i++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 2);
            histograms[i] = h;
            threads[i] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long measureFrom = window[0];
                long until = window[1];
                long mine = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start >= until) {
                        break;
                    }
                    boolean ok;
                    try {
                        ok = contender.decide(key.get());
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        continue;
                    }
                    long end = System.nanoTime();
                    if (start >= measureFrom && end <= until) {
                        h.recordValue(Math.min(end - start, h.getHighestTrackableValue()));
                        if (ok) {
                            mine++;
                        }
                    }
                }
                allowed.addAndGet(mine);
            }, "bench-caller-" + i);
            threads[i].start();
        }
        ready.await();
        long now = System.nanoTime();
        window[0] = now + warmupNanos;
        window[1] = now + warmupNanos + measureNanos;
        go.countDown();
        TimeUnit.NANOSECONDS.sleep(warmupNanos);
        Map<String, Long> before = counter.snapshot();
        TimeUnit.NANOSECONDS.sleep(Math.max(0, window[1] - System.nanoTime()));
        Map<String, Long> after = counter.snapshot();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 2);
        for (Histogram h : histograms) {
            all.add(h);
        }
        long decisions = all.getTotalCount();
        double perSecond = decisions / seconds;
        double roundTrips = decisions == 0 ? Double.NaN : (double) CommandCounter.delta(before, after) / decisions;
        Cell cell = new Cell(workload, callers, contender.name(), perSecond, all.getValueAtPercentile(50) / 1e3,
                all.getValueAtPercentile(99) / 1e3, roundTrips, decisions == 0 ? 0 : (double) allowed.get() / decisions,
                CommandCounter.deltaByType(before, after));
        System.out.printf(Locale.ROOT, "%-34s %3d callers  %-34s %10.0f/s  p50 %8.1f us  p99 %8.1f us  %.2f RT/decision  %5.1f%% allowed %s%s%n",
                workload, callers, contender.name(), perSecond, cell.p50Micros, cell.p99Micros, roundTrips,
                100 * cell.allowedShare, cell.commands, failures.get() > 0 ? "  failures=" + failures.get() : "");
        return cell;
    }

    private static void print(List<Cell> cells) {
        System.out.println();
        System.out.println("| workload | callers | contender | decisions/s | p50 µs | p99 µs | round trips / decision | allowed |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|");
        for (Cell c : cells) {
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %.0f | %.0f | %.2f | %.0f %% |%n", c.workload, c.callers,
                    c.contender, c.perSecond, c.p50Micros, c.p99Micros, c.roundTrips, 100 * c.allowedShare);
        }
        System.out.println();
        System.out.println("| workload | callers | Bulwark token bucket / bare INCR script | / bare GCRA script | / Bucket4j |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Cell bare : cells) {
            if (!bare.contender.startsWith("bare Lua script")) {
                continue;
            }
            Cell gcra = find(cells, bare, "bare GCRA");
            Cell bulwark = find(cells, bare, "Bulwark token_bucket");
            Cell bucket4j = find(cells, bare, "Bucket4j");
            if (bulwark != null && bucket4j != null && gcra != null) {
                System.out.printf(Locale.ROOT, "| %s | %d | %.0f %% | %.0f %% | %.1f× |%n", bare.workload, bare.callers,
                        100 * bulwark.perSecond / bare.perSecond, 100 * bulwark.perSecond / gcra.perSecond,
                        bulwark.perSecond / bucket4j.perSecond);
            }
        }
    }

    private static Cell find(List<Cell> cells, Cell like, String contenderPrefix) {
        for (Cell c : cells) {
            if (c.workload.equals(like.workload) && c.callers == like.callers && c.contender.equals(contenderPrefix)) {
                return c;
            }
        }
        for (Cell c : cells) {
            if (c.workload.equals(like.workload) && c.callers == like.callers && c.contender.startsWith(contenderPrefix)) {
                return c;
            }
        }
        return null;
    }

    static void deleteKeys(ClientResources resources, String uri, String prefix) {
        RedisClient client = RedisClient.create(resources, uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
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
                cursor = c.sync().scan(ScanCursor.of(cursor.getCursor()), match);
            }
            System.out.println("deleted " + deleted + " benchmark keys under " + prefix);
        } finally {
            client.shutdown();
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, was '" + a + "'");
            }
            out.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return out;
    }
}
