package dev.bulwark.redis;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One process of {@link MultiProcessTest}: builds a production store (server time), says
 * {@code ready}, waits for {@code go} on standard input, then lets its threads acquire one unit
 * at a time on one key per algorithm, interleaved, and prints its batch counters (script calls,
 * requests carried) and how many each algorithm admitted.
 *
 * <p>Arguments: uri, key prefix, limit, window in ms, threads, attempts per thread and algorithm,
 * batches in flight (the store's {@code maxBatchesInFlight}).
 */
public final class MultiProcessWorker {

    private MultiProcessWorker() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String prefix = args[1];
        long limit = Long.parseLong(args[2]);
        Duration window = Duration.ofMillis(Long.parseLong(args[3]));
        int threads = Integer.parseInt(args[4]);
        int attempts = Integer.parseInt(args[5]);
        int batchesInFlight = Integer.parseInt(args[6]);
        Algorithm[] algorithms = Algorithm.values();
        Map<Algorithm, AtomicLong> admitted = new EnumMap<>(Algorithm.class);
        for (Algorithm a : algorithms) {
            admitted.put(a, new AtomicLong());
        }
        RedisLimitStore.Status status;
        try (RedisLimitStore store = RedisLimitStore.builder().uri(uri).keyPrefix(prefix)
                .commandTimeout(Duration.ofSeconds(10)).failurePolicy(FailurePolicy.FAIL_CLOSED)
                .maxBatchesInFlight(batchesInFlight).build()) {
            store.peek("warm-up", "op", List.of(RateLimit.of(1, window)));
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                throw new IllegalStateException("expected 'go' on standard input");
            }
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                new Thread(() -> {
                    try {
                        for (int i = 0; i < attempts * algorithms.length; i++) {
                            Algorithm a = algorithms[i % algorithms.length];
                            RateLimit rule = RateLimit.of(limit, window, a);
                            if (store.acquire(a.name(), "shared", List.of(rule), 1).allowed()) {
                                admitted.get(a).incrementAndGet();
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            done.await();
            status = store.status();
        }
        System.out.println("batched " + status.batchCalls() + " " + status.batchedRequests());
        for (Algorithm a : algorithms) {
            System.out.println("admitted " + a.name() + " " + admitted.get(a).get());
        }
        System.out.println("done");
        System.out.flush();
    }
}
