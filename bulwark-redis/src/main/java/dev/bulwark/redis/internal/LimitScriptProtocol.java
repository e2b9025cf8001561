package dev.bulwark.redis.internal;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The arguments and replies of the decision scripts, which share one argument layout and one
 * state layout (the comment at the top of {@code limit_decide.lua} gives both):
 * <ul>
 *   <li>{@link #FAST}, {@code limit_decide.lua} + {@code limit.lua}: acquire and peek on plain
 *       doubles, exact as long as every
 *       magnitude stays below 2<sup>51</sup>; otherwise it writes nothing and replies
 *       {@code {'exact'}} ({@link #isHandover});</li>
 *   <li>{@link #BATCH}, {@code limit_decide.lua} + {@code limit_batch.lua}: several such decisions
 *       in one call, one after the other, each exactly as {@link #FAST} would take it
 *       ({@link #batchArgs}, {@link #splitBatchReply});</li>
 *   <li>{@link #EXACT}, {@code exact.lua} + {@code limit_exact.lua}: the same decisions on exact
 *       multi-limb integers, for rules that are large by construction ({@link #needsExact}), for
 *       handovers, and for reset and inspect.</li>
 * </ul>
 *
 * <p>Time is in nanoseconds throughout. In server-time mode the script reads Redis {@code TIME}
 * (microsecond resolution) and the client sends no time; in client-time mode (tests) it sends its
 * clock's {@code nanoTime()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class LimitScriptProtocol {

    /** The fast decision script, on plain doubles. */
    public static final LuaScript FAST = LuaScript.of("limit.lua",
            LuaScript.fromResource(LimitScriptProtocol.class, "limit_decide.lua").source()
                    + LuaScript.fromResource(LimitScriptProtocol.class, "limit.lua").source());

    /** The fast decision script for a batch of decisions in one atomic call. */
    public static final LuaScript BATCH = LuaScript.of("limit_batch.lua",
            LuaScript.fromResource(LimitScriptProtocol.class, "limit_decide.lua").source()
                    + LuaScript.fromResource(LimitScriptProtocol.class, "limit_batch.lua").source());

    /** Values per request in the reply of {@link #BATCH}. */
    private static final int BATCH_REPLY_WIDTH = 5;

    /** The exact decision script, on multi-limb integers; also reset and inspect. */
    public static final LuaScript EXACT = LuaScript.of("limit_exact.lua",
            LuaScript.fromResource(LimitScriptProtocol.class, "exact.lua").source()
                    + LuaScript.fromResource(LimitScriptProtocol.class, "limit_exact.lua").source());

    /** Below this magnitude (2^51) the fast script's plain doubles are exact, with room for sums. */
    private static final double FAST_LIMIT = 0x1p51;

    /** In client-time mode keys live at least this long: Redis TTLs run in real time, a test's clock does not. */
    static final long CLIENT_TIME_MIN_TTL_MILLIS = Duration.ofMinutes(10).toMillis();

    private static final int FIXED_ARGS = 6;
    private static final int ARGS_PER_RULE = 3;
    private static final String[] NO_RULES = {"", "1", "", "0", "0", "0"};

    private final boolean serverTime;
    private final boolean exactOnly;
    private final String minTtlMillis;
    /** The strings of each rule seen (rules are usually a handful of constants); bounded. */
    private final ConcurrentHashMap<RateLimit, RuleArgs> ruleArgs = new ConcurrentHashMap<>();

    /** A rule's script arguments: its state fields, letter, limit and window. */
    private record RuleArgs(String[] fields, String letter, String limit, String window) {
        static RuleArgs of(RateLimit rule) {
            String letter = letterString(rule.algorithm());
            String limit = Long.toString(rule.limit());
            String window = Long.toString(rule.windowNanos());
            String[] fields = new String[stateFields(rule.algorithm())];
            for (int f = 0; f < fields.length; f++) {
                fields[f] = letter + limit + ':' + window + ':' + (char) ('a' + f);
            }
            return new RuleArgs(fields, letter, limit, window);
        }
    }

    private static final int MAX_CACHED_RULES = 1024;

    private LimitScriptProtocol(boolean serverTime, boolean exactOnly) {
        this.serverTime = serverTime;
        this.exactOnly = exactOnly;
        this.minTtlMillis = serverTime ? "0" : Long.toString(CLIENT_TIME_MIN_TTL_MILLIS);
    }

    /** Time from Redis {@code TIME}. */
    public static LimitScriptProtocol serverTime() {
        return new LimitScriptProtocol(true, false);
    }

    /** Time supplied by the client with every call (tests with a manual clock). */
    public static LimitScriptProtocol clientTime() {
        return new LimitScriptProtocol(false, false);
    }

    public boolean usesServerTime() {
        return serverTime;
    }

    /** This protocol, sending every decision to the exact script (for tests of that script). */
    public LimitScriptProtocol exactOnly() {
        return new LimitScriptProtocol(serverTime, true);
    }

    /** Arguments of an acquire ({@code record}) or a peek of one unit (not {@code record}). */
    public String[] decisionArgs(boolean record, long cost, long nowNanos, List<RateLimit> limits) {
        int n = limits.size();
        RuleArgs[] rules = new RuleArgs[n];
        int fieldCount = 0;
        for (int i = 0; i < n; i++) {
            rules[i] = ruleArgs(limits.get(i));
            fieldCount += rules[i].fields.length;
        }
        String[] args = new String[FIXED_ARGS + fieldCount + ARGS_PER_RULE * n];
        args[0] = record ? "a" : "p";
        args[1] = record ? Long.toString(cost) : "1";
        args[2] = time(nowNanos);
        args[3] = minTtlMillis;
        args[4] = Integer.toString(n);
        args[5] = Integer.toString(fieldCount);
        int field = FIXED_ARGS;
        int at = FIXED_ARGS + fieldCount;
        for (RuleArgs rule : rules) {
            for (String f : rule.fields) {
                args[field++] = f;
            }
            args[at++] = rule.letter;
            args[at++] = rule.limit;
            args[at++] = rule.window;
        }
        return args;
    }

    private RuleArgs ruleArgs(RateLimit rule) {
        RuleArgs known = ruleArgs.get(rule);
        if (known != null) {
            return known;
        }
        RuleArgs made = RuleArgs.of(rule);
        if (ruleArgs.size() < MAX_CACHED_RULES) {
            ruleArgs.putIfAbsent(rule, made);
        }
        return made;
    }

    /**
     * Whether a rule is too large for the fast script by construction, so its decisions go to the
     * exact script directly (one round trip) rather than by handover (two).
     */
    public boolean needsExact(List<RateLimit> limits) {
        if (exactOnly) {
            return true;
        }
        for (RateLimit rule : limits) {
            long w = rule.windowNanos();
            if (w >= FAST_LIMIT || (double) rule.limit() * w >= FAST_LIMIT || (serverTime && w % 1_000 != 0)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the fast script handed the decision over to the exact script. */
    public static boolean isHandover(List<Object> reply) {
        return reply != null && (reply.size() == 1 || reply.size() == BATCH_REPLY_WIDTH)
                && "exact".equals(String.valueOf(reply.get(0)));
    }

    /** Whether a request of a {@link #BATCH} call raised an error ({@code 'error', message, 0, 0, 0}). */
    public static boolean isBatchError(List<Object> reply) {
        return reply.size() == BATCH_REPLY_WIDTH && "error".equals(String.valueOf(reply.get(0)));
    }

    /**
     * The arguments of {@link #BATCH} for requests whose own arguments ({@link #decisionArgs}) are
     * {@code requestArgs}: their count, then each request's arguments in order.
     */
    public static String[] batchArgs(List<String[]> requestArgs) {
        int total = 1;
        for (String[] a : requestArgs) {
            total += a.length;
        }
        String[] args = new String[total];
        args[0] = Integer.toString(requestArgs.size());
        int at = 1;
        for (String[] a : requestArgs) {
            System.arraycopy(a, 0, args, at, a.length);
            at += a.length;
        }
        return args;
    }

    /**
     * The reply of each request of a {@link #BATCH} call, in order: each one as {@link #FAST} would
     * reply ({@link #decodeDecision}), or a handover ({@link #isHandover}).
     *
     * @throws IllegalStateException if the reply does not hold one decision per request
     */
    public static List<List<Object>> splitBatchReply(List<Object> reply, int requests) {
        if (reply == null || reply.size() != requests * BATCH_REPLY_WIDTH) {
            throw new IllegalStateException("unexpected reply of the batch script for " + requests + " requests: " + reply);
        }
        List<List<Object>> out = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            out.add(reply.subList(i * BATCH_REPLY_WIDTH, (i + 1) * BATCH_REPLY_WIDTH));
        }
        return out;
    }

    /** How many hash fields one rule's state takes. */
    static int stateFields(Algorithm algorithm) {
        return switch (algorithm) {
            case FIXED_WINDOW, TOKEN_BUCKET -> 2;
            case SLIDING_WINDOW -> 3;
            case GCRA, LEAKY_BUCKET -> 1;
        };
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
            throw new IllegalStateException("unexpected reply of " + "the decision script" + ": " + reply);
        }
        int index = (int) number(reply, 1) - 1;
        if (index < 0 || index >= limits.size()) {
            throw new IllegalStateException("rule index out of range in reply of " + "the decision script" + ": " + reply);
        }
        return decision(limits.get(index), number(reply, 0) == 1, number(reply, 2), number(reply, 3), number(reply, 4));
    }

    /** Whether a reset found live state. */
    public boolean decodeReset(List<Object> reply) {
        if (reply == null || reply.size() != 1) {
            throw new IllegalStateException("unexpected reply of " + "the decision script" + " reset: " + reply);
        }
        return number(reply, 0) == 1;
    }

    /**
     * The peeks in the reply of an inspect. Redis keeps no rule names, so each rule is rebuilt with
     * the default label {@code "<limit>/<window>"}.
     */
    public List<Decision> decodeInspect(List<Object> reply) {
        if (reply == null || reply.size() % 7 != 0) {
            throw new IllegalStateException("unexpected reply of " + "the decision script" + " inspect: " + reply);
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
            throw new IllegalStateException("expected an integer at " + i + " in reply of " + "the decision script" + ": " + reply, e);
        }
    }
}
