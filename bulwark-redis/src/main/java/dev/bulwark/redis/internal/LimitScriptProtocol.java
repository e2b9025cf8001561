package dev.bulwark.redis.internal;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments and replies of the decision script ({@code exact.lua} followed by
 * {@code limit.lua}; the comment at the top of {@code limit.lua} gives the layout).
 *
 * <p>Time is in nanoseconds throughout. In server-time mode the script reads Redis {@code TIME}
 * (microsecond resolution) and the client sends no time; in client-time mode (tests) it sends its
 * clock's {@code nanoTime()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class LimitScriptProtocol {

    /** The decision script: the exact-arithmetic library followed by the algorithms. */
    public static final LuaScript SCRIPT = LuaScript.of("limit.lua",
            LuaScript.fromResource(LimitScriptProtocol.class, "exact.lua").source()
                    + LuaScript.fromResource(LimitScriptProtocol.class, "limit.lua").source());

    /** In client-time mode keys live at least this long: Redis TTLs run in real time, a test's clock does not. */
    static final long CLIENT_TIME_MIN_TTL_MILLIS = Duration.ofMinutes(10).toMillis();

    private static final int FIXED_ARGS = 5;
    private static final int ARGS_PER_RULE = 3;
    private static final String[] NO_RULES = {"", "1", "", "0", "0"};

    private final boolean serverTime;
    private final String minTtlMillis;

    private LimitScriptProtocol(boolean serverTime) {
        this.serverTime = serverTime;
        this.minTtlMillis = serverTime ? "0" : Long.toString(CLIENT_TIME_MIN_TTL_MILLIS);
    }

    /** Time from Redis {@code TIME}. */
    public static LimitScriptProtocol serverTime() {
        return new LimitScriptProtocol(true);
    }

    /** Time supplied by the client with every call (tests with a manual clock). */
    public static LimitScriptProtocol clientTime() {
        return new LimitScriptProtocol(false);
    }

    public boolean usesServerTime() {
        return serverTime;
    }

    /** Arguments of an acquire ({@code record}) or a peek of one unit (not {@code record}). */
    public String[] decisionArgs(boolean record, long cost, long nowNanos, List<RateLimit> limits) {
        int n = limits.size();
        String[] args = new String[FIXED_ARGS + ARGS_PER_RULE * n];
        args[0] = record ? "a" : "p";
        args[1] = record ? Long.toString(cost) : "1";
        args[2] = time(nowNanos);
        args[3] = minTtlMillis;
        args[4] = Integer.toString(n);
        for (int i = 0; i < n; i++) {
            RateLimit rule = limits.get(i);
            int at = FIXED_ARGS + ARGS_PER_RULE * i;
            args[at] = letterString(rule.algorithm());
            args[at + 1] = Long.toString(rule.limit());
            args[at + 2] = Long.toString(rule.windowNanos());
        }
        return args;
    }

    /** Arguments of a reset: deletes the key, replies whether any state was live. */
    public String[] resetArgs(long nowNanos) {
        String[] args = NO_RULES.clone();
        args[0] = "r";
        args[2] = time(nowNanos);
        return args;
    }

    /** Arguments of an inspect: a peek of every live rule of the key. */
    public String[] inspectArgs(long nowNanos) {
        String[] args = NO_RULES.clone();
        args[0] = "i";
        args[2] = time(nowNanos);
        return args;
    }

    /**
     * The decision in the reply of an acquire or peek.
     *
     * @throws IllegalStateException if the reply does not have the script's shape
     */
    public Decision decodeDecision(List<Object> reply, List<RateLimit> limits) {
        if (reply == null || reply.size() != 5) {
            throw new IllegalStateException("unexpected reply of " + SCRIPT.name() + ": " + reply);
        }
        int index = (int) number(reply, 1) - 1;
        if (index < 0 || index >= limits.size()) {
            throw new IllegalStateException("rule index out of range in reply of " + SCRIPT.name() + ": " + reply);
        }
        return decision(limits.get(index), number(reply, 0) == 1, number(reply, 2), number(reply, 3), number(reply, 4));
    }

    /** Whether a reset found live state. */
    public boolean decodeReset(List<Object> reply) {
        if (reply == null || reply.size() != 1) {
            throw new IllegalStateException("unexpected reply of " + SCRIPT.name() + " reset: " + reply);
        }
        return number(reply, 0) == 1;
    }

    /**
     * The peeks in the reply of an inspect. Redis keeps no rule names, so each rule is rebuilt with
     * the default label {@code "<limit>/<window>"}.
     */
    public List<Decision> decodeInspect(List<Object> reply) {
        if (reply == null || reply.size() % 7 != 0) {
            throw new IllegalStateException("unexpected reply of " + SCRIPT.name() + " inspect: " + reply);
        }
        List<Decision> out = new ArrayList<>(reply.size() / 7);
        for (int i = 0; i < reply.size(); i += 7) {
            RateLimit rule = RateLimit.of(number(reply, i + 1), Duration.ofNanos(number(reply, i + 2)),
                    algorithm(String.valueOf(reply.get(i))));
            out.add(decision(rule, number(reply, i + 3) == 1, number(reply, i + 4), number(reply, i + 5),
                    number(reply, i + 6)));
        }
        return out;
    }

    private static Decision decision(RateLimit rule, boolean allowed, long remaining, long retryAfter, long resetAfter) {
        if (allowed) {
            return Decision.allowed(rule, remaining, resetAfter);
        }
        return Decision.denied(rule, remaining, retryAfter < 0 ? Decision.NEVER : retryAfter, resetAfter);
    }

    private String time(long nowNanos) {
        return serverTime ? "" : Long.toString(nowNanos);
    }

    static String letterString(Algorithm algorithm) {
        return switch (algorithm) {
            case FIXED_WINDOW -> "F";
            case SLIDING_WINDOW -> "S";
            case TOKEN_BUCKET -> "T";
            case LEAKY_BUCKET -> "L";
            case GCRA -> "G";
        };
    }

    private static Algorithm algorithm(String letter) {
        return switch (letter) {
            case "F" -> Algorithm.FIXED_WINDOW;
            case "S" -> Algorithm.SLIDING_WINDOW;
            case "T" -> Algorithm.TOKEN_BUCKET;
            case "L" -> Algorithm.LEAKY_BUCKET;
            case "G" -> Algorithm.GCRA;
            default -> throw new IllegalStateException("unknown algorithm letter in a Redis reply: " + letter);
        };
    }

    private static long number(List<Object> reply, int i) {
        Object o = reply.get(i);
        try {
            if (o instanceof Long l) {
                return l;
            }
            return Long.parseLong(String.valueOf(o));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("expected an integer at " + i + " in reply of " + SCRIPT.name() + ": " + reply, e);
        }
    }
}
