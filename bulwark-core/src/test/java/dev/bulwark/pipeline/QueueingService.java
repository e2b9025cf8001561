package dev.bulwark.pipeline;

import dev.bulwark.time.ManualClock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of a dependency behind an {@link AdaptiveConcurrency} limit, on a
 * {@link ManualClock}: {@code servers} servers, each serving one call at a time in
 * {@code serviceNanos} ± 10 % (uniform), calls beyond the servers waiting in FIFO order. So the
 * latency is the service time up to {@code servers} calls in flight (the knee) and grows linearly
 * with the queue past it, while the throughput stays at {@code servers / serviceNanos}.
 *
 * <p>Calls arrive as a Poisson process at the rate of the current phase; a call the limit rejects
 * is counted and dropped; an admitted call reports its latency to the limit when it ends. The
 * clock is moved to each event in turn, so the limit sees exactly the simulated time.
 * Deterministic for a given seed.
 */
final class QueueingService {

    /** What one phase of load measured. */
    record Phase(double seconds, long completed, long rejected, long[] latencies, int minLimit, int maxLimit,
                 double meanLimit) {
        double goodput() {
            return completed / seconds;
        }

        long percentile(double p) {
            if (latencies.length == 0) {
                return 0;
            }
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1)];
        }

        @Override
        public String toString() {
            return String.format("goodput %.0f/s, rejected %d, p99 %.2f ms, limit %d..%d (mean %.1f)", goodput(),
                    rejected, percentile(99) / 1e6, minLimit, maxLimit, meanLimit);
        }
    }

    private record Job(long permit, long arrival, long end, long seq) {
    }

    private final ManualClock clock;
    private final AdaptiveConcurrency limit;
    private final SplittableRandom random;
    private final PriorityQueue<Job> inService = new PriorityQueue<>((a, b) -> a.end != b.end
            ? Long.compare(a.end, b.end) : Long.compare(a.seq, b.seq));
    private final ArrayDeque<long[]> waiting = new ArrayDeque<>();
    private long seq;
    private long nextArrival;
    int servers;
    long serviceNanos;

    QueueingService(ManualClock clock, AdaptiveConcurrency limit, int servers, long serviceNanos, long seed) {
        this.clock = clock;
        this.limit = limit;
        this.servers = servers;
        this.serviceNanos = serviceNanos;
        this.random = new SplittableRandom(seed);
    }

    /** Calls per second the servers complete at most. */
    double capacity() {
        return servers * 1e9 / serviceNanos;
    }

    /** Offers {@code perSecond} calls per second for {@code seconds} of simulated time. */
    Phase run(double perSecond, double seconds) {
        long now = clock.elapsed().toNanos();
        long end = now + (long) (seconds * 1e9);
        nextArrival = now + interval(perSecond); // memoryless: a new phase may draw its first arrival afresh
        long completed = 0;
        long rejected = 0;
        long[] latencies = new long[1024];
        int n = 0;
        int minLimit = Integer.MAX_VALUE;
        int maxLimit = 0;
        double limitSum = 0;
        long limitSamples = 0;
        while (true) {
            Job first = inService.peek();
            long next = perSecond > 0 ? nextArrival : Long.MAX_VALUE;
            boolean arrival = first == null || next <= first.end;
            long at = arrival ? next : first.end;
            if (at >= end) {
                break;
            }
            moveTo(at);
            if (arrival) {
                nextArrival = at + interval(perSecond);
                int current = limit.limit();
                minLimit = Math.min(minLimit, current);
                maxLimit = Math.max(maxLimit, current);
                limitSum += current;
                limitSamples++;
                long permit = limit.tryAcquire();
                if (permit == AdaptiveConcurrency.NO_PERMIT) {
                    rejected++;
                } else if (inService.size() < servers) {
                    start(permit, at, at);
                } else {
                    waiting.add(new long[] {permit, at});
                }
            } else {
                inService.poll();
                limit.onSuccess(first.permit);
                completed++;
                if (n == latencies.length) {
                    latencies = Arrays.copyOf(latencies, 2 * n);
                }
                latencies[n++] = at - first.arrival;
                while (inService.size() < servers && !waiting.isEmpty()) {
                    long[] w = waiting.poll();
                    start(w[0], w[1], at);
                }
            }
        }
        moveTo(end);
        return new Phase(seconds, completed, rejected, Arrays.copyOf(latencies, n),
                minLimit == Integer.MAX_VALUE ? limit.limit() : minLimit, Math.max(maxLimit, 0),
                limitSamples == 0 ? limit.limit() : limitSum / limitSamples);
    }

    /** Lets {@code seconds} pass with no call arriving (calls in flight still end). */
    Phase idle(double seconds) {
        return run(0, seconds);
    }

    private void start(long permit, long arrival, long at) {
        long service = (long) (serviceNanos * (0.9 + 0.2 * random.nextDouble()));
        inService.add(new Job(permit, arrival, at + service, seq++));
    }

    private long interval(double perSecond) {
        if (perSecond <= 0) {
            return Long.MAX_VALUE / 4;
        }
        return Math.max(1L, (long) (-Math.log(1 - random.nextDouble()) / perSecond * 1e9));
    }

    private void moveTo(long elapsedNanos) {
        long delta = elapsedNanos - clock.elapsed().toNanos();
        if (delta > 0) {
            clock.advanceNanos(delta);
        }
    }
}
