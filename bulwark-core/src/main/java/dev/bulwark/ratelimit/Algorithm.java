package dev.bulwark.ratelimit;

/**
 * A rate-limiting algorithm. Each one enforces a rule of {@code L = limit} units per
 * {@code W = window} nanoseconds; they differ in how bursts are spread over time and in how much
 * state a key needs.
 *
 * <p>Each constant states its <em>worst case</em>: the most units it can admit in any half-open
 * interval {@code [s, s + W)} of one window length, whatever the arrival pattern. The exact
 * arithmetic of every algorithm (which every {@link LimitStore} must reproduce to the
 * nanosecond) is specified on {@link LimitStore}.
 *
 * <table>
 * <caption>Algorithms for a rule of L per W</caption>
 * <tr><th>algorithm</th><th>burst from idle</th><th>worst case in any interval of W</th><th>state per key</th></tr>
 * <tr><td>{@link #FIXED_WINDOW}</td><td>L</td><td>2L</td><td>2 words</td></tr>
 * <tr><td>{@link #SLIDING_WINDOW} (default)</td><td>L</td><td>2L − 1 (about L for steady traffic)</td><td>2 words</td></tr>
 * <tr><td>{@link #TOKEN_BUCKET}</td><td>L</td><td>2L − 1</td><td>2 words</td></tr>
 * <tr><td>{@link #LEAKY_BUCKET}</td><td>one request</td><td>L for unit costs; L − 1 + the largest cost</td><td>1 word</td></tr>
 * <tr><td>{@link #GCRA}</td><td>L</td><td>2L − 1</td><td>1 word</td></tr>
 * </table>
 */
public enum Algorithm {
    /**
     * A counter per window aligned on the clock ({@code floor(now / W)}), as Hammer's default.
     * Simple and predictable, but a client can use the end of one window and the start of the
     * next: <b>worst case 2L</b> in an interval of one window.
     */
    FIXED_WINDOW,
    /**
     * Sliding window, counter approximation (the default): the previous aligned window's count,
     * weighted by the share of it that still overlaps a window ending now (rounded up), plus the
     * current window's count. For steady traffic it admits about L per any window; an adversary
     * who bunches the previous window's requests at its very end can reach
     * <b>worst case 2L − 1</b>.
     */
    SLIDING_WINDOW,
    /**
     * A bucket of L tokens that starts full and refills continuously at exactly L per W (whole
     * tokens, exact rational arithmetic: after an idle window the bucket is exactly full again).
     * A request takes {@code cost} tokens. Bursts up to L, then the refill rate:
     * <b>worst case 2L − 1</b>.
     */
    TOKEN_BUCKET,
    /**
     * A leaky bucket used as a meter with no queue: the bucket drains one unit every
     * {@code T = ceil(W / L)} nanoseconds, and a request is admitted only when the bucket has
     * drained completely; it then fills it with {@code cost × T} of drain time. Traffic leaves
     * smooth, without bursts: <b>worst case L</b> for requests of cost 1 (in general
     * L − 1 plus the largest cost).
     */
    LEAKY_BUCKET,
    /**
     * Generic cell rate algorithm: one theoretical arrival time per key, emission interval
     * {@code T = ceil(W / L)} nanoseconds, burst tolerance {@code (L − 1) × T} (a burst of L).
     * Decisions match {@link #TOKEN_BUCKET} except that the rate is rounded down to one unit per
     * whole T (never faster than L per W); it needs one word of state.
     * <b>Worst case 2L − 1.</b>
     */
    GCRA
}
