package dev.bulwark.benchmarks.redis;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.net.SocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every command Lettuce completes, by type: installed as the client resources' latency
 * recorder, it sees each round trip of every client built on those resources (a Lua script counts
 * once, however many commands it runs inside Redis). Thread-safe.
 */
final class CommandCounter implements CommandLatencyRecorder {

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
                                     long firstResponseLatency, long completionLatency) {
        counts.computeIfAbsent(commandType.toString(), k -> new LongAdder()).increment();
    }

    @Override
    public boolean isEnabled() {
        return true;
    }

    /** Commands completed so far, by type. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Commands completed between two snapshots, all types together. */
    static long delta(Map<String, Long> before, Map<String, Long> after) {
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return total;
    }

    /** Commands completed between two snapshots, by type (only those that ran). */
    static Map<String, Long> deltaByType(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}
