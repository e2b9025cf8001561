package dev.bulwark.redis.internal;

import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import java.util.List;

/**
 * The arguments and reply of {@code limit.lua}, the script that decides every rule of one key in
 * one atomic call (see the comment at the top of the script for the layout).
 *
 * <p>The script counts time in <em>units</em>: nanoseconds when the client supplies the time (test
 * mode), microseconds when it reads the server's {@code TIME} (production). Windows are converted to
 * units here, rounded up to a whole unit; replies are converted back to nanoseconds.
 *
 * <p>Immutable and thread-safe.
 */
public final class LimitScriptProtocol {

    /** The decision script. */
    public static final LuaScript SCRIPT = LuaScript.fromResource(LimitScriptProtocol.class, "limit.lua");

    private static final int FIXED_ARGS = 5;
    private static final int ARGS_PER_RULE = 4;

    private final boolean serverTime;
    private final long unitNanos;
    private final String unitsPerMilli;

    private LimitScriptProtocol(boolean serverTime) {
        this.serverTime = serverTime;
        this.unitNanos = serverTime ? 1_000L : 1L;
        this.unitsPerMilli = Long.toString(1_000_000L / unitNanos);
    }

    /** Time from Redis {@code TIME}, in microseconds. */
    public static LimitScriptProtocol serverTime() {
        return new LimitScriptProtocol(true);
    }

    /** Time supplied by the client with every call, in nanoseconds (tests with a manual clock). */
    public static LimitScriptProtocol clientTime() {
        return new LimitScriptProtocol(false);
    }

    public boolean usesServerTime() {
        return serverTime;
    }

    /**
     * The script's arguments.
     *
     * @param record   whether to record the cost when every rule admits it
     * @param nowNanos the client's time; ignored in server-time mode
     */
    public String[] args(boolean record, long cost, long nowNanos, List<RateLimit> limits) {
        int n = limits.size();
        String[] args = new String[FIXED_ARGS + ARGS_PER_RULE * n];
        args[0] = record ? "1" : "0";
        args[1] = Long.toString(cost);
        args[2] = serverTime ? "" : Long.toString(nowNanos);
        args[3] = unitsPerMilli;
        args[4] = Integer.toString(n);
        for (int i = 0; i < n; i++) {
            RateLimit rule = limits.get(i);
            int at = FIXED_ARGS + ARGS_PER_RULE * i;
            args[at] = KeyLayout.ruleField(rule);
            args[at + 1] = String.valueOf(KeyLayout.letter(rule.algorithm()));
            args[at + 2] = Long.toString(rule.limit());
            args[at + 3] = Long.toString(windowUnits(rule));
        }
        return args;
    }

    /**
     * The decision in a script reply.
     *
     * @throws IllegalStateException if the reply does not have the script's shape
     */
    public Decision decode(List<Object> reply, List<RateLimit> limits) {
        if (reply == null || reply.size() != 5) {
            throw new IllegalStateException("unexpected reply of " + SCRIPT.name() + ": " + reply);
        }
        boolean allowed = number(reply, 0) == 1;
        int index = (int) number(reply, 1) - 1;
        if (index < 0 || index >= limits.size()) {
            throw new IllegalStateException("rule index out of range in reply of " + SCRIPT.name() + ": " + reply);
        }
        RateLimit rule = limits.get(index);
        long remaining = Math.max(0, number(reply, 2));
        long retryAfter = number(reply, 3);
        long retryAfterNanos = retryAfter < 0 ? Long.MAX_VALUE : retryAfter * unitNanos;
        long resetAfterNanos = number(reply, 4) * unitNanos;
        return new Decision(allowed, rule.limit(), remaining, retryAfterNanos, resetAfterNanos, rule);
    }

    private long windowUnits(RateLimit rule) {
        long nanos = rule.windowNanos();
        return unitNanos == 1 ? nanos : (nanos + unitNanos - 1) / unitNanos;
    }

    private static long number(List<Object> reply, int i) {
        Object o = reply.get(i);
        if (o instanceof Long l) {
            return l;
        }
        throw new IllegalStateException("expected an integer at " + i + " in reply of " + SCRIPT.name() + ": " + reply);
    }
}
