package dev.bulwark.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the page's charts show, aggregated in memory from the per-call events: per protection key,
 * outcomes and a latency histogram; rate-limit decisions and the entities denied most; calls shed
 * under memory pressure. Counters are
 * cumulative; each {@link #roll tick} takes the difference since the previous one, so no event
 * is lost between two ticks. Memory is bounded: at most {@code maxKeys} protection keys (the rest
 * under {@code other}), {@code history} ticks, and a fixed top-K sketch.
 *
 * <p>Thread-safe: the record methods run on emitting threads, {@link #roll} on the tick thread.
 */
final class LiveStats {

    static final String[] OUTCOMES = {"success", "fallback", "rejected", "failure"};

    private final int maxKeys;
    private final int history;
    private final ConcurrentHashMap<String, KeyStats> keys = new ConcurrentHashMap<>();
    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder shed = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> breakerRejections = new ConcurrentHashMap<>();
    private final TopK deniedEntities;
    private final ArrayDeque<Map<String, Object>> ticks = new ArrayDeque<>();
    private long previousAllowed;
    private long previousDenied;
    private long previousShed;
    private final Map<String, Long> previousRejections = new HashMap<>();

    LiveStats(int maxKeys, int history, int topK) {
        this.maxKeys = maxKeys;
        this.history = history;
        this.deniedEntities = new TopK(topK * 8);
    }

    private KeyStats key(String key) {
        KeyStats stats = keys.get(key);
        if (stats != null) {
            return stats;
        }
        if (keys.size() >= maxKeys) {
            return keys.computeIfAbsent("other", k -> new KeyStats());
        }
        return keys.computeIfAbsent(key, k -> new KeyStats());
    }

    void protection(String key, String outcome, long micros) {
        KeyStats stats = key(key == null ? "none" : key);
        int index = switch (outcome == null ? "" : outcome) {
            case "success" -> 0;
            case "fallback" -> 1;
            case "rejected" -> 2;
            default -> 3;
        };
        stats.outcomes[index].increment();
        stats.latency.incrementAndGet(bucket(Math.max(0, micros)));
    }

    void decision(boolean wasAllowed, Object entity) {
        if (wasAllowed) {
            allowed.increment();
        } else {
            denied.increment();
            if (entity != null) {
                deniedEntities.add(entity.toString());
            }
        }
    }

    /** A call refused by the shed stage (it is also a {@code rejected} outcome of its protection). */
    void shed() {
        shed.increment();
    }

    void breakerRejected(String name) {
        if (name == null) {
            return;
        }
        LongAdder adder = breakerRejections.get(name);
        if (adder == null) {
            if (breakerRejections.size() >= maxKeys) {
                return;
            }
            adder = breakerRejections.computeIfAbsent(name, n -> new LongAdder());
        }
        adder.increment();
    }

    /** The entities denied most, most first. */
    List<Map<String, Object>> topDenied(int k) {
        return deniedEntities.top(k);
    }

    /** Closes the interval since the previous tick: the tick's figures, also kept in the history. */
    synchronized Map<String, Object> roll(long epochMillis) {
        Map<String, Object> tick = new LinkedHashMap<>();
        tick.put("t", epochMillis);
        Map<String, Object> protections = new LinkedHashMap<>();
        keys.forEach((key, stats) -> protections.put(key, stats.roll()));
        tick.put("protections", protections);
        long a = allowed.sum();
        long d = denied.sum();
        tick.put("allowed", a - previousAllowed);
        tick.put("denied", d - previousDenied);
        previousAllowed = a;
        previousDenied = d;
        long sh = shed.sum();
        tick.put("shed", sh - previousShed);
        previousShed = sh;
        Map<String, Object> rejections = new LinkedHashMap<>();
        breakerRejections.forEach((name, adder) -> {
            long now = adder.sum();
            long before = previousRejections.getOrDefault(name, 0L);
            previousRejections.put(name, now);
            rejections.put(name, now - before);
        });
        tick.put("breaker_rejections", rejections);
        ticks.addLast(tick);
        while (ticks.size() > history) {
            ticks.removeFirst();
        }
        return tick;
    }

    synchronized List<Map<String, Object>> history() {
        return new ArrayList<>(ticks);
    }

    // ---- latency buckets: 8 per power of two of microseconds (about 9 % wide)

    static final int BUCKETS = 8 * 61;   // up to Long.MAX_VALUE (exponent 62)

    static int bucket(long micros) {
        if (micros < 8) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) ((micros >>> (exponent - 3)) & 7);
        return Math.min(BUCKETS - 1, 8 * (exponent - 2) + sub);
    }

    /** The smallest value of a bucket, in microseconds. */
    static long lowerBound(int bucket) {
        if (bucket < 8) {
            return bucket;
        }
        int exponent = bucket / 8 + 2;
        int sub = bucket % 8;
        return (8L + sub) << (exponent - 3);
    }

    private static final class KeyStats {
        final LongAdder[] outcomes = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
        final AtomicLongArray latency = new AtomicLongArray(BUCKETS);
        final long[] previousOutcomes = new long[4];
        final long[] previousLatency = new long[BUCKETS];

        Map<String, Object> roll() {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++) {
                long now = outcomes[i].sum();
                out.put(OUTCOMES[i], now - previousOutcomes[i]);
                previousOutcomes[i] = now;
            }
            long[] delta = new long[BUCKETS];
            long total = 0;
            for (int i = 0; i < BUCKETS; i++) {
                long now = latency.get(i);
                delta[i] = now - previousLatency[i];
                previousLatency[i] = now;
                total += delta[i];
            }
            out.put("p50_ms", total == 0 ? null : percentile(delta, total, 0.50) / 1000.0);
            out.put("p99_ms", total == 0 ? null : percentile(delta, total, 0.99) / 1000.0);
            return out;
        }

        private static long percentile(long[] counts, long total, double p) {
            long rank = (long) Math.ceil(p * total);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return lowerBound(i);
                }
            }
            return lowerBound(counts.length - 1);
        }
    }

    /**
     * The Space-Saving sketch (Metwally et al.): {@code capacity} counters; an entity not tracked
     * when all are taken replaces the smallest and inherits its count plus one, so every entity
     * whose real count exceeds total / capacity is tracked, and a count is over by at most the
     * inherited {@code error}. Bounded memory whatever the number of distinct entities.
     */
    static final class TopK {
        private final int capacity;
        private final HashMap<String, long[]> counters = new HashMap<>();

        TopK(int capacity) {
            this.capacity = capacity;
        }

        synchronized void add(String entity) {
            long[] c = counters.get(entity);
            if (c != null) {
                c[0]++;
                return;
            }
            if (counters.size() < capacity) {
                counters.put(entity, new long[] {1, 0});
                return;
            }
            String smallest = null;
            long min = Long.MAX_VALUE;
            for (Map.Entry<String, long[]> e : counters.entrySet()) {
                if (e.getValue()[0] < min) {
                    min = e.getValue()[0];
                    smallest = e.getKey();
                }
            }
            counters.remove(smallest);
            counters.put(entity, new long[] {min + 1, min});
        }

        synchronized List<Map<String, Object>> top(int k) {
            List<Map.Entry<String, long[]>> entries = new ArrayList<>(counters.entrySet());
            entries.sort((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]));
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < Math.min(k, entries.size()); i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("entity", entries.get(i).getKey());
                row.put("denied", entries.get(i).getValue()[0]);
                row.put("error", entries.get(i).getValue()[1]);
                out.add(row);
            }
            return out;
        }

        synchronized int size() {
            return counters.size();
        }
    }
}
