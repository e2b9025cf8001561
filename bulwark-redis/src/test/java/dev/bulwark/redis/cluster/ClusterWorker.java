package dev.bulwark.redis.cluster;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.LimitStoreUnavailableException;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.FailurePolicy;
import dev.bulwark.redis.RedisLimitStore;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import io.lettuce.core.cluster.event.AskRedirectionEvent;
import io.lettuce.core.cluster.event.MovedRedirectionEvent;
import io.lettuce.core.resource.ClientResources;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * One process of the cluster load tests ({@link ClusterMultiProcessTest}, {@link ClusterReshardTest},
 * {@link ClusterFailoverTest}): builds a production store (server time) on the given cluster, says
 * {@code ready}, waits for {@code go} on standard input, then lets its threads acquire one unit at a
 * time on every key of every group, each thread in its own random order, either for a number of
 * passes or until {@code stop} arrives on standard input. It then prints, per key, how many
 * acquisitions were admitted by Redis and by the failure policy, and a summary: decisions by Redis
 * and by the policy, caller errors by type, and the wall-clock times (ms) of the first and last
 * decision taken by the policy.
 *
 * <p>Arguments, {@code name=value}: {@code seeds} (comma-separated URIs), {@code prefix},
 * {@code threads}, {@code policy}, {@code timeoutMs}, {@code passes} (0: until {@code stop}),
 * {@code inflight} (the store's {@code maxBatchesInFlight}), {@code denyCache} (its capacity),
 * {@code warmPasses} (after that many passes of every thread the worker prints {@code warmed}), and
 * one or more {@code group=<name>,<ALGORITHM>,<limit>,<window ms>,<entity>;<entity>;...}.
 */
public final class ClusterWorker {

    private record Key(String group, String entity, RateLimit rule) {
    }

    private ClusterWorker() {
    }

    public static void main(String[] args) throws Exception {
        List<String> seeds = List.of();
        String prefix = "";
        int threads = 4;
        FailurePolicy policy = FailurePolicy.FAIL_CLOSED;
        Duration timeout = Duration.ofSeconds(2);
        int passes = 1;
        int inFlight = RedisLimitStore.Builder.DEFAULT_BATCHES_IN_FLIGHT;
        int denyCache = 4096;
        int warmPasses = 0;
        List<Key> keys = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            switch (name) {
                case "seeds" -> seeds = List.of(value.split(","));
                case "prefix" -> prefix = value;
                case "threads" -> threads = Integer.parseInt(value);
                case "policy" -> policy = FailurePolicy.valueOf(value);
                case "timeoutMs" -> timeout = Duration.ofMillis(Long.parseLong(value));
                case "passes" -> passes = Integer.parseInt(value);
                case "inflight" -> inFlight = Integer.parseInt(value);
                case "denyCache" -> denyCache = Integer.parseInt(value);
                case "warmPasses" -> warmPasses = Integer.parseInt(value);
                case "group" -> {
                    String[] parts = value.split(",", 5);
                    RateLimit rule = RateLimit.of(Long.parseLong(parts[2]), Duration.ofMillis(Long.parseLong(parts[3])),
                            Algorithm.valueOf(parts[1]));
                    for (String entity : parts[4].split(";")) {
                        keys.add(new Key(parts[0], entity, rule));
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }

        ThreadLocal<boolean[]> byPolicy = ThreadLocal.withInitial(() -> new boolean[1]);
        LongAccumulator firstPolicy = new LongAccumulator(Math::min, Long.MAX_VALUE);
        LongAccumulator lastPolicy = new LongAccumulator(Math::max, 0);
        LongAccumulator lastAdmitted = new LongAccumulator(Math::max, 0);
        Telemetry telemetry = Telemetry.create();
        Map<String, AtomicLong> reasons = new ConcurrentHashMap<>();
        telemetry.attach("worker", telemetry.name(Events.RATE_LIMITER_BACKEND_FAILURE), (event, m, md) -> {
            byPolicy.get()[0] = true;
            reasons.computeIfAbsent(md.get("operation") + "/" + md.get("reason"), k -> new AtomicLong()).incrementAndGet();
            long now = System.currentTimeMillis();
            firstPolicy.accumulate(now);
            lastPolicy.accumulate(now);
        });

        AtomicLongArray redisAdmitted = new AtomicLongArray(keys.size());
        AtomicLongArray policyAdmitted = new AtomicLongArray(keys.size());
        AtomicLongArray policyDecided = new AtomicLongArray(keys.size());
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        AtomicLong decisions = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        RedisLimitStore.Status status;
        // the store's Lettuce resources are the worker's, so that it can count the redirections Lettuce followed
        AtomicLong moved = new AtomicLong();
        AtomicLong asked = new AtomicLong();
        ClientResources resources = ClientResources.create();
        resources.eventBus().get().subscribe(event -> {
            if (event instanceof MovedRedirectionEvent) {
                moved.incrementAndGet();
            } else if (event instanceof AskRedirectionEvent) {
                asked.incrementAndGet();
            }
        });
        try (RedisLimitStore store = RedisLimitStore.builder().cluster(seeds).keyPrefix(prefix).clientResources(resources)
                .commandTimeout(timeout).failurePolicy(policy).telemetry(telemetry)
                .maxBatchesInFlight(inFlight).denyCacheCapacity(denyCache).build()) {
            ClusterStores.connected(store);
            store.peek("warm-up", "op", List.of(RateLimit.of(1, Duration.ofMinutes(1))));
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                throw new IllegalStateException("expected 'go' on standard input");
            }
            if (passes == 0) {
                Thread stopper = new Thread(() -> {
                    try {
                        in.readLine();
                    } catch (Exception ignored) {
                        // end of input: stop as well
                    }
                    stop.set(true);
                }, "stopper");
                stopper.setDaemon(true);
                stopper.start();
            }
            int passCount = passes;
            int warm = warmPasses;
            CountDownLatch warmed = new CountDownLatch(threads);
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                new Thread(() -> {
                    try {
                        List<Integer> order = new ArrayList<>(keys.size());
                        for (int i = 0; i < keys.size(); i++) {
                            order.add(i);
                        }
                        for (int pass = 0; passCount == 0 ? !stop.get() : pass < passCount; pass++) {
                            if (pass == warm) {
                                warmed.countDown();
                            }
                            Collections.shuffle(order, ThreadLocalRandom.current());
                            for (int i : order) {
                                if (passCount == 0 && stop.get()) {
                                    break;
                                }
                                Key key = keys.get(i);
                                boolean[] flag = byPolicy.get();
                                flag[0] = false;
                                try {
                                    boolean allowed = store.acquire(key.entity, key.group, List.of(key.rule), 1).allowed();
                                    decisions.incrementAndGet();
                                    if (flag[0]) {
                                        policyDecided.incrementAndGet(i);
                                        if (allowed) {
                                            policyAdmitted.incrementAndGet(i);
                                        }
                                    } else if (allowed) {
                                        redisAdmitted.incrementAndGet(i);
                                        lastAdmitted.accumulate(System.currentTimeMillis());
                                    }
                                } catch (LimitStoreUnavailableException e) {
                                    policyDecided.incrementAndGet(i);
                                    errors.computeIfAbsent("refused-by-policy", k -> new AtomicLong()).incrementAndGet();
                                } catch (RuntimeException e) {
                                    errors.computeIfAbsent(e.getClass().getSimpleName() + ":" + e.getMessage(),
                                            k -> new AtomicLong()).incrementAndGet();
                                }
                            }
                        }
                    } finally {
                        warmed.countDown();
                        done.countDown();
                    }
                }, "worker-" + t).start();
            }
            if (warm > 0) {
                warmed.await();
                System.out.println("warmed");
                System.out.flush();
            }
            done.await();
            status = store.status();
        } finally {
            resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
        for (int i = 0; i < keys.size(); i++) {
            Key k = keys.get(i);
            System.out.println("key " + k.group + " " + k.entity + " " + redisAdmitted.get(i) + " " + policyAdmitted.get(i)
                    + " " + policyDecided.get(i));
        }
        errors.forEach((type, n) -> System.out.println("error " + n.get() + " " + type.replace('\n', ' ')));
        reasons.forEach((reason, n) -> System.out.println("reason " + n.get() + " " + reason));
        System.out.println("summary decisions=" + decisions.get() + " redis=" + status.redisDecisions() + " policy="
                + status.policyDecisions() + " slotRetries=" + status.slotRetries() + " batchCalls=" + status.batchCalls()
                + " batchedRequests=" + status.batchedRequests()
                + " firstPolicyMs=" + (firstPolicy.get() == Long.MAX_VALUE ? -1 : firstPolicy.get())
                + " lastPolicyMs=" + (lastPolicy.get() == 0 ? -1 : lastPolicy.get())
                + " lastAdmittedMs=" + (lastAdmitted.get() == 0 ? -1 : lastAdmitted.get())
                + " moved=" + moved.get() + " ask=" + asked.get());
        System.out.println("done");
        System.out.flush();
    }

    /** The arguments of a group of keys. */
    static String group(String name, Algorithm algorithm, long limit, Duration window, List<String> entities) {
        return "group=" + name + "," + algorithm.name() + "," + limit + "," + window.toMillis() + ","
                + String.join(";", entities);
    }

    static String seeds(List<String> seeds) {
        return "seeds=" + String.join(",", seeds);
    }
}
