package dev.bulwark.testkit;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A slow, obviously-correct model of the algorithms specified on {@link LimitStore}, used as the
 * oracle of the conformance suite and the property tests.
 *
 * <p>It is written from the definitions rather than from the closed-form formulas of the
 * specification: each rule only knows how to answer "would a request of cost c pass at time t?"
 * ({@link RuleModel#admits}) and how to record one; {@code remaining}, {@code retryAfter} and
 * {@code resetAfter} are then found by searching over costs and times, so the store's formulas are
 * checked against their definitions. Arithmetic that can exceed 64 bits uses {@link BigInteger}.
 * Not thread-safe.
 */
public final class ReferenceModel {

    private final Map<String, Map<List<Object>, RuleModel>> states = new HashMap<>();

    /** Acquire as specified: all-or-nothing over the rules, deciding rule per the tie-break rules. */
    public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost, long now) {
        return decide(entityId, operation, limits, cost, now, true);
    }

    /** What an acquire of one unit would answer, recording nothing. */
    public Decision peek(String entityId, String operation, List<RateLimit> limits, long now) {
        return decide(entityId, operation, limits, 1, now, false);
    }

    /** Forgets the key; whether it had live state. */
    public boolean reset(String entityId, String operation, long now) {
        Map<List<Object>, RuleModel> key = states.remove(entityId + "\u0000" + operation);
        if (key == null) {
            return false;
        }
        for (RuleModel m : key.values()) {
            if (m.remaining(now) < m.limit) {
                return true;
            }
        }
        return false;
    }

    private Decision decide(String entityId, String operation, List<RateLimit> limits, long cost, long now, boolean record) {
        Map<List<Object>, RuleModel> key = states.computeIfAbsent(entityId + "\u0000" + operation, k -> new HashMap<>());
        List<RuleModel> models = new ArrayList<>();
        for (RateLimit rule : limits) {
            models.add(key.computeIfAbsent(List.of(rule.limit(), rule.window(), rule.algorithm()), id -> RuleModel.of(rule)));
        }
        boolean all = true;
        for (RuleModel m : models) {
            all &= m.admits(now, cost);
        }
        if (all) {
            if (record) {
                models.forEach(m -> m.record(now, cost));
            }
            int best = 0;
            for (int i = 1; i < models.size(); i++) {
                if (models.get(i).remaining(now) < models.get(best).remaining(now)) {
                    best = i;
                }
            }
            RuleModel m = models.get(best);
            return Decision.allowed(limits.get(best), m.remaining(now), m.resetAfter(now));
        }
        int worst = -1;
        long worstWait = -1;
        for (int i = 0; i < models.size(); i++) {
            RuleModel m = models.get(i);
            if (!m.admits(now, cost)) {
                long wait = m.retryAfter(now, cost);
                if (wait > worstWait) {
                    worst = i;
                    worstWait = wait;
                }
            }
        }
        RuleModel m = models.get(worst);
        return Decision.denied(limits.get(worst), m.remaining(now), worstWait, m.resetAfter(now));
    }

    /** The state of one rule under one key. */
    public abstract static class RuleModel {
        final long limit;
        final long window;

        RuleModel(RateLimit rule) {
            this.limit = rule.limit();
            this.window = rule.windowNanos();
        }

        /** A fresh (empty) model of {@code rule}. */
        public static RuleModel of(RateLimit rule) {
            switch (rule.algorithm()) {
                case FIXED_WINDOW:
                    return new FixedWindow(rule);
                case SLIDING_WINDOW:
                    return new SlidingWindow(rule);
                case TOKEN_BUCKET:
                    return new TokenBucket(rule);
                case LEAKY_BUCKET:
                    return new LeakyBucket(rule);
                default:
                    return new Gcra(rule);
            }
        }

        /** Whether a request of {@code cost} would pass at {@code now}. */
        public final boolean admits(long now, long cost) {
            if (cost == 0) {
                return true;
            }
            return limit > 0 && cost <= limit && passes(now, cost);
        }

        abstract boolean passes(long now, long cost);

        public abstract void record(long now, long cost);

        /** Largest cost that would pass now, by binary search. */
        public long remaining(long now) {
            long lo = 0;
            long hi = limit;
            while (lo < hi) {
                long mid = lo + (hi - lo + 1) / 2;
                if (admits(now, mid)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        /** Least d >= 1 after which the request would pass, by binary search; NEVER if it cannot. */
        public long retryAfter(long now, long cost) {
            if (limit == 0 || cost > limit) {
                return Decision.NEVER;
            }
            long hi = 4 * window + 4 * limit + 4;
            if (!admits(now + hi, cost)) {
                throw new AssertionError("model never admits within " + hi + " ns");
            }
            long lo = 1;
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                if (admits(now + mid, cost)) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        /** Least d >= 0 after which the full limit would be available again. */
        public long resetAfter(long now) {
            if (remaining(now) == limit) {
                return 0;
            }
            long lo = 1;
            long hi = 4 * window + 4 * limit + 4;
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                if (remaining(now + mid) == limit) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
    }

    /** Counts per aligned window, the whole history kept. */
    static final class FixedWindow extends RuleModel {
        private final Map<Long, Long> counts = new HashMap<>();

        FixedWindow(RateLimit rule) {
            super(rule);
        }

        @Override
        boolean passes(long now, long cost) {
            return counts.getOrDefault(Math.floorDiv(now, window), 0L) + cost <= limit;
        }

        @Override
        public void record(long now, long cost) {
            counts.merge(Math.floorDiv(now, window), cost, Long::sum);
        }
    }

    /** Counts per aligned window; the estimate weighs the previous window by its overlap, rounded up. */
    static final class SlidingWindow extends RuleModel {
        private final Map<Long, Long> counts = new HashMap<>();

        SlidingWindow(RateLimit rule) {
            super(rule);
        }

        BigInteger estimate(long now) {
            long i = Math.floorDiv(now, window);
            long e = Math.floorMod(now, window);
            long current = counts.getOrDefault(i, 0L);
            long previous = counts.getOrDefault(i - 1, 0L);
            BigInteger[] qr = BigInteger.valueOf(previous).multiply(BigInteger.valueOf(window - e))
                    .divideAndRemainder(BigInteger.valueOf(window));
            BigInteger weighted = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
            return weighted.add(BigInteger.valueOf(current));
        }

        @Override
        boolean passes(long now, long cost) {
            return estimate(now).add(BigInteger.valueOf(cost)).compareTo(BigInteger.valueOf(limit)) <= 0;
        }

        @Override
        public void record(long now, long cost) {
            counts.merge(Math.floorDiv(now, window), cost, Long::sum);
        }
    }

    /**
     * Tokens held as an exact multiple of 1/W (tokens × W is an integer): refilling for d ns adds
     * d × L, capped at L × W; taking c tokens removes c × W.
     */
    static final class TokenBucket extends RuleModel {
        private BigInteger tokensTimesW;
        private long lastUpdate;
        private boolean fresh = true;

        TokenBucket(RateLimit rule) {
            super(rule);
        }

        private BigInteger tokensTimesWAt(long now) {
            BigInteger cap = BigInteger.valueOf(limit).multiply(BigInteger.valueOf(window));
            if (fresh) {
                return cap;
            }
            BigInteger refilled = tokensTimesW.add(BigInteger.valueOf(now - lastUpdate).multiply(BigInteger.valueOf(limit)));
            return refilled.min(cap);
        }

        @Override
        boolean passes(long now, long cost) {
            return tokensTimesWAt(now).compareTo(BigInteger.valueOf(cost).multiply(BigInteger.valueOf(window))) >= 0;
        }

        @Override
        public void record(long now, long cost) {
            tokensTimesW = tokensTimesWAt(now).subtract(BigInteger.valueOf(cost).multiply(BigInteger.valueOf(window)));
            lastUpdate = now;
            fresh = false;
        }
    }

    /** Virtual scheduling: a request of cost c is c cells arriving together, each conforming if due no later than now + τ. */
    static final class Gcra extends RuleModel {
        private final long interval;
        private final long tolerance;
        private long tat = Long.MIN_VALUE;

        Gcra(RateLimit rule) {
            super(rule);
            this.interval = rule.emissionIntervalNanos();
            this.tolerance = (limit - 1) * interval;
        }

        @Override
        boolean passes(long now, long cost) {
            // The cells are checked in order and each later one is stricter, so the request
            // conforms iff its last cell does: that cell is due at max(TAT, now) + (cost - 1) × T.
            long first = tat == Long.MIN_VALUE ? now : Math.max(tat, now);
            return first + (cost - 1) * interval <= now + tolerance;
        }

        @Override
        public void record(long now, long cost) {
            long first = tat == Long.MIN_VALUE ? now : Math.max(tat, now);
            tat = first + cost * interval;
        }
    }

    /** A level of drain time: passes only when the level has drained to zero; a request adds c × T. */
    static final class LeakyBucket extends RuleModel {
        private final long interval;
        private long level;
        private long lastUpdate;

        LeakyBucket(RateLimit rule) {
            super(rule);
            this.interval = rule.emissionIntervalNanos();
        }

        private long levelAt(long now) {
            return Math.max(0, level - (now - lastUpdate));
        }

        @Override
        boolean passes(long now, long cost) {
            return levelAt(now) == 0;
        }

        @Override
        public void record(long now, long cost) {
            level = levelAt(now) + cost * interval;
            lastUpdate = now;
        }
    }
}
