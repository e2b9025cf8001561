package dev.bulwark.ratelimit;

/**
 * The arithmetic of one rule's algorithm over its state words, exactly as specified on
 * {@link LimitStore}. State lives in a {@code long[]} at an offset ({@link #stride} words per
 * key), so a table of a million keys is a few primitive arrays; the kernel itself holds only the
 * rule's constants.
 *
 * <p>Layouts: fixed window {@code [ws, n]} and sliding window {@code [ws, p << 32 | n]}, where
 * {@code ws = idx × W} is the start of the stored aligned window (both counts fit 31 bits because
 * the limit does); token bucket {@code [vn, vf]}; GCRA and leaky bucket {@code [TAT]}.
 *
 * <p>The admission path ({@link #tryAcquire}) divides nothing in the common case: a window is
 * rolled forward by comparing {@code t − ws} with {@code W} and {@code 2W}, and the tests
 * {@code floor(x / W) >= m} are evaluated as {@code x >= m × W} with exact 128-bit products.
 * Divisions remain where a decision reports remaining units and waits.
 *
 * <p>Not thread-safe by itself: callers hold the key's slot lock. Requires a limit of at least 1
 * (limit 0 never reaches state).
 */
final class RuleKernel {

    private static final long LOW_32 = 0xFFFF_FFFFL;

    /** {@link #algorithm} as an int constant: the primitive path switches on it without an enum switch map. */
    private static final int FIXED = 0;
    private static final int SLIDING = 1;
    private static final int TOKEN = 2;
    private static final int LEAKY = 3;
    private static final int CELL_RATE = 4;

    final RateLimit rule;
    final Algorithm algorithm;
    final int stride;
    private final int kind;
    final long limit;
    final long window;
    /** T = ceil(W / L) for GCRA and the leaky bucket. */
    private final long interval;
    /** L × T: the GCRA's burst span (at most W + L − 1). */
    private final long burstSpan;
    /** W / L and W mod L, so that c × W / L needs no 128-bit arithmetic for the token bucket. */
    private final long refillQuotient;
    private final long refillRemainder;

    RuleKernel(RateLimit rule) {
        if (rule.limit() < 1) {
            throw new IllegalArgumentException("a kernel needs a limit of at least 1: " + rule);
        }
        this.rule = rule;
        this.algorithm = rule.algorithm();
        this.limit = rule.limit();
        this.window = rule.windowNanos();
        this.interval = rule.emissionIntervalNanos();
        this.burstSpan = limit * interval;
        this.refillQuotient = window / limit;
        this.refillRemainder = window % limit;
        this.stride = algorithm == Algorithm.GCRA || algorithm == Algorithm.LEAKY_BUCKET ? 1 : 2;
        this.kind = kindOf(algorithm);
    }

    private static int kindOf(Algorithm algorithm) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return FIXED;
            case SLIDING_WINDOW:
                return SLIDING;
            case TOKEN_BUCKET:
                return TOKEN;
            case LEAKY_BUCKET:
                return LEAKY;
            default:
                return CELL_RATE;
        }
    }

    /** Writes the state of a key that has seen nothing, as of {@code t}. */
    void initEmpty(long[] w, int b, long t) {
        switch (algorithm) {
            case FIXED_WINDOW:
            case SLIDING_WINDOW:
                w[b] = windowStartOf(t);
                w[b + 1] = 0;
                break;
            case TOKEN_BUCKET:
                w[b] = t - window;
                w[b + 1] = 0;
                break;
            default:
                w[b] = t;
        }
    }

    /** Whether the state is equivalent to an empty one at {@code t} (and may be forgotten). */
    boolean isExpired(long[] w, int b, long t) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return t - w[b] >= window || w[b + 1] == 0;
            case SLIDING_WINDOW:
                return rolledCounts(w, b, t) == 0;
            case TOKEN_BUCKET:
                return tokenBucketIsFull(w[b], w[b + 1], t);
            default:
                return w[b] - t <= 0;
        }
    }

    /**
     * How long a state of this rule can stay live after its last admission: the wait a refused new
     * key is given, since by then every key idle now has expired.
     */
    long expiryHorizon() {
        switch (algorithm) {
            case FIXED_WINDOW:
            case TOKEN_BUCKET:
                return window;
            case SLIDING_WINDOW:
                return 2 * window;
            default:
                return burstSpan;
        }
    }

    /**
     * Admits and records {@code cost} (at most the limit) if the rule allows it.
     *
     * @return 0 if admitted, otherwise the exact wait in nanoseconds
     */
    long tryAcquire(long[] w, int b, long t, long cost) {
        // one small method per algorithm, so that the JIT inlines the dispatch and the hot branch
        switch (kind) {
            case SLIDING:
                return slidingTryAcquire(w, b, t, cost);
            case CELL_RATE:
                return gcraTryAcquire(w, b, t, cost);
            case FIXED:
                return fixedTryAcquire(w, b, t, cost);
            case LEAKY:
                return leakyTryAcquire(w, b, t, cost);
            default:
                if (admits(w, b, t, cost)) {
                    record(w, b, t, cost);
                    return 0;
                }
                return retryAfter(w, b, t, cost);
        }
    }

    private long slidingTryAcquire(long[] w, int b, long t, long cost) {
        long start = w[b];
        long sinceStart = t - start;
        long counts = w[b + 1];
        long elapsed;
        if (sinceStart < window) {
            elapsed = Math.max(sinceStart, 0);
        } else if (sinceStart < 2 * window) {
            counts = (counts & LOW_32) << 32;
            start += window;
            elapsed = sinceStart - window;
        } else {
            counts = 0;
            elapsed = Math.floorMod(t, window);
            start = t - elapsed;
        }
        long previous = counts >>> 32;
        // est + c <= L  <=>  floor(p × e / W) >= n + c + p − L
        long excess = (counts & LOW_32) + cost + previous - limit;
        if (excess <= 0 || Math128.productAtLeast(previous, elapsed, excess, window, 0)) {
            w[b] = start;
            w[b + 1] = counts + cost;
            return 0;
        }
        return retryAfter(w, b, t, cost);
    }

    private long fixedTryAcquire(long[] w, int b, long t, long cost) {
        long sinceStart = t - w[b];
        if (sinceStart >= window) {
            w[b] = sinceStart < 2 * window ? w[b] + window : windowStartOf(t);
            w[b + 1] = cost;
            return 0;
        }
        long n = w[b + 1] + cost;
        if (n <= limit) {
            w[b + 1] = n;
            return 0;
        }
        return window - sinceStart;
    }

    private long gcraTryAcquire(long[] w, int b, long t, long cost) {
        long ahead = Math.max(w[b] - t, 0);
        long after = ahead + cost * interval;
        if (after <= burstSpan) {
            w[b] = t + after;
            return 0;
        }
        return after - burstSpan;
    }

    private long leakyTryAcquire(long[] w, int b, long t, long cost) {
        long ahead = w[b] - t;
        if (ahead <= 0) {
            w[b] = t + cost * interval;
            return 0;
        }
        return ahead;
    }

    /**
     * The decision for {@code cost} (at most the limit) on the state at {@code b}, recording it if
     * allowed and asked to. A kernel serves every rule with the same state; the decision names
     * {@code named}, the rule the caller passed.
     */
    Decision decide(long[] w, int b, long t, long cost, boolean record, RateLimit named) {
        if (admits(w, b, t, cost)) {
            if (record) {
                record(w, b, t, cost);
            }
            return Decision.allowed(named, remaining(w, b, t), resetAfter(w, b, t));
        }
        return Decision.denied(named, remaining(w, b, t), retryAfter(w, b, t, cost), resetAfter(w, b, t));
    }

    /** Whether {@code cost} (at most the limit) would be admitted at {@code t}. */
    boolean admits(long[] w, int b, long t, long cost) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return fixedCount(w, b, t) + cost <= limit;
            case SLIDING_WINDOW: {
                long counts = rolledCounts(w, b, t);
                long previous = counts >>> 32;
                long excess = (counts & LOW_32) + cost + previous - limit;
                return excess <= 0 || Math128.productAtLeast(previous, elapsed(w, b, t), excess, window, 0);
            }
            case TOKEN_BUCKET: {
                long vn = w[b];
                long vf = w[b + 1];
                long sinceEmpty = t - vn;
                // tok >= c  <=>  full, or (t − vn) × L >= c × W + vf
                return tokenBucketIsFull(vn, vf, t)
                        || (sinceEmpty > 0 && Math128.productAtLeast(sinceEmpty, limit, cost, window, vf));
            }
            case GCRA:
                return Math.max(w[b] - t, 0) + cost * interval <= burstSpan;
            default:
                return w[b] - t <= 0;
        }
    }

    /** Records {@code cost} at {@code t}; only after {@link #admits} said yes. */
    void record(long[] w, int b, long t, long cost) {
        switch (algorithm) {
            case FIXED_WINDOW:
                if (t - w[b] >= window) {
                    w[b] = windowStartOf(t);
                    w[b + 1] = cost;
                } else {
                    w[b + 1] += cost;
                }
                break;
            case SLIDING_WINDOW: {
                long counts = rolledCounts(w, b, t);
                w[b] = rolledStart(w, b, t);
                w[b + 1] = counts + cost;
                break;
            }
            case TOKEN_BUCKET: {
                long vn = w[b];
                long vf = w[b + 1];
                if (tokenBucketIsFull(vn, vf, t)) {
                    vn = t - window;
                    vf = 0;
                }
                long q;
                long r;
                if (cost == 1) {
                    q = refillQuotient;
                    r = refillRemainder;
                } else {
                    q = cost * refillQuotient + cost * refillRemainder / limit;
                    r = cost * refillRemainder % limit;
                }
                vf += r;
                if (vf >= limit) {
                    vf -= limit;
                    q++;
                }
                w[b] = vn + q;
                w[b + 1] = vf;
                break;
            }
            case GCRA:
                w[b] = t + Math.max(w[b] - t, 0) + cost * interval;
                break;
            default:
                w[b] = t + cost * interval;
        }
    }

    /** The largest cost one request could take at {@code t}. */
    long remaining(long[] w, int b, long t) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return limit - fixedCount(w, b, t);
            case SLIDING_WINDOW:
                return Math.max(0, limit - slidingEstimate(w, b, t));
            case TOKEN_BUCKET:
                return tokens(w[b], w[b + 1], t);
            case GCRA: {
                long ahead = Math.max(w[b] - t, 0);
                return Math.max(0, limit - (ahead + interval - 1) / interval);
            }
            default:
                return w[b] - t <= 0 ? limit : 0;
        }
    }

    /** Time until the full limit is available again if nothing is recorded. */
    long resetAfter(long[] w, int b, long t) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return fixedCount(w, b, t) == 0 ? 0 : w[b] + window - t;
            case SLIDING_WINDOW: {
                long counts = rolledCounts(w, b, t);
                long e = elapsed(w, b, t);
                return (counts & LOW_32) > 0 ? 2 * window - e : (counts != 0 ? window - e : 0);
            }
            case TOKEN_BUCKET: {
                long vf = w[b + 1];
                return Math.max(0, w[b] + window - t + (vf > 0 ? 1 : 0));
            }
            default:
                return Math.max(w[b] - t, 0);
        }
    }

    /** The exact wait until {@code cost} (at most the limit) would be admitted; only when it is not now. */
    long retryAfter(long[] w, int b, long t, long cost) {
        switch (algorithm) {
            case FIXED_WINDOW: {
                long start = t - w[b] >= window ? windowStartOf(t) : w[b];
                return start + window - t;
            }
            case SLIDING_WINDOW:
                return slidingRetryAfter(w, b, t, cost);
            case TOKEN_BUCKET: {
                long vn = w[b];
                long vf = w[b + 1];
                long q = cost * refillQuotient + cost * refillRemainder / limit;
                long r = cost * refillRemainder % limit;
                long carry = vf + r == 0 ? 0 : (vf + r <= limit ? 1 : 2);
                return vn - t + q + carry;
            }
            case GCRA:
                return Math.max(w[b] - t, 0) + cost * interval - burstSpan;
            default:
                return w[b] - t;
        }
    }

    // ------------------------------------------------------------------ windows

    private long windowStartOf(long t) {
        return t - Math.floorMod(t, window);
    }

    /** n of the window containing t (the stored one if t is earlier, which only a racing caller sees). */
    private long fixedCount(long[] w, int b, long t) {
        return t - w[b] >= window ? 0 : w[b + 1];
    }

    /** {@code p << 32 | n} rolled forward to the window containing {@code t}. */
    private long rolledCounts(long[] w, int b, long t) {
        long sinceStart = t - w[b];
        if (sinceStart < window) {
            return w[b + 1];
        }
        return sinceStart < 2 * window ? (w[b + 1] & LOW_32) << 32 : 0;
    }

    /** The start of the window the rolled state describes. */
    private long rolledStart(long[] w, int b, long t) {
        long sinceStart = t - w[b];
        if (sinceStart < window) {
            return w[b];
        }
        return sinceStart < 2 * window ? w[b] + window : windowStartOf(t);
    }

    /** e: time since the rolled window's start (0 if t is earlier than the stored window). */
    private long elapsed(long[] w, int b, long t) {
        return Math.max(0, t - rolledStart(w, b, t));
    }

    /** n + ceil(p × (W − e) / W) after rolling the state forward to {@code t}. */
    private long slidingEstimate(long[] w, int b, long t) {
        long counts = rolledCounts(w, b, t);
        long p = counts >>> 32;
        long n = counts & LOW_32;
        return p == 0 ? n : n + p - Math128.mulDivFloor(p, elapsed(w, b, t), window);
    }

    private long slidingRetryAfter(long[] w, int b, long t, long cost) {
        long counts = rolledCounts(w, b, t);
        long p = counts >>> 32;
        long n = counts & LOW_32;
        long e = elapsed(w, b, t);
        long k = limit - n - cost;
        if (k >= 0 && p > 0) {
            long e1 = window - Math128.mulDivFloor(k, window, p);
            if (e1 < window) {
                return e1 - e;
            }
        }
        long untilNext = window - e;
        long kNext = limit - cost;
        if (n <= kNext) {
            return untilNext;
        }
        long e2 = window - Math128.mulDivFloor(kNext, window, n);
        return e2 < window ? untilNext + e2 : untilNext + window;
    }

    // ------------------------------------------------------------------ token bucket

    /** t − V >= W with V = vn + vf / L. */
    private boolean tokenBucketIsFull(long vn, long vf, long t) {
        long sinceEmpty = t - vn;
        return sinceEmpty > window || (sinceEmpty == window && vf == 0);
    }

    private long tokens(long vn, long vf, long t) {
        if (tokenBucketIsFull(vn, vf, t)) {
            return limit;
        }
        long sinceEmpty = t - vn;
        if (sinceEmpty <= 0) {
            return 0;
        }
        return Math128.mulSubDivFloor(sinceEmpty, limit, vf, window);
    }
}
