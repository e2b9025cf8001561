package dev.bulwark.demo;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts of what happened in the simulation, per user and per phenomenon. */
final class Tally {

    /** Probe outcomes counted by the simulated kubelet. */
    static final String READY_200 = "readiness probes answered 200";
    static final String READY_503 = "readiness probes answered 503";
    static final String READY_DEGRADED = "readiness probes answered DEGRADED";
    static final String LIVE_UP = "liveness probes answered UP";
    static final String LIVE_NOT_UP = "liveness probes not UP";

    /** How one request ended, as its user saw it. */
    enum Outcome { FRESH, FALLBACK, RATE_LIMITED, FAILED }

    private final Map<String, long[]> byUser = new LinkedHashMap<>();
    private final Map<String, Long> phenomena = new LinkedHashMap<>();

    void user(String user) {
        byUser.putIfAbsent(user, new long[Outcome.values().length]);
    }

    void outcome(String user, Outcome outcome) {
        byUser.computeIfAbsent(user, u -> new long[Outcome.values().length])[outcome.ordinal()]++;
    }

    void count(String phenomenon) {
        phenomena.merge(phenomenon, 1L, Long::sum);
    }

    long count(String user, Outcome outcome) {
        long[] counts = byUser.get(user);
        return counts == null ? 0 : counts[outcome.ordinal()];
    }

    long phenomenon(String name) {
        return phenomena.getOrDefault(name, 0L);
    }

    Map<String, long[]> byUser() {
        return byUser;
    }

    Map<String, Long> phenomena() {
        return phenomena;
    }
}
