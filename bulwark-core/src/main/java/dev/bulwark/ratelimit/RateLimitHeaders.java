package dev.bulwark.ratelimit;

import dev.bulwark.error.InfraError;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * HTTP header values for rate-limited responses: {@code RateLimit-Policy} and {@code RateLimit}
 * as defined by the IETF httpapi draft "RateLimit header fields for HTTP"
 * (draft-ietf-httpapi-ratelimit-headers-10), and {@code Retry-After} in delay-seconds.
 *
 * <pre>{@code
 * Result<Decision> r = limiter.checkRate(user, "search", SEARCH);
 * Decision d = r.isOk() ? r.getOrThrow() : ...;
 * RateLimitHeaders.of(d).forEach(response::setHeader);
 * // RateLimit-Policy: "search";q=100;w=60
 * // RateLimit: "search";r=0;t=12
 * // Retry-After: 12                        (denied only)
 * }</pre>
 *
 * <ul>
 * <li>A policy item is the rule's name as a structured-field string (characters outside printable
 * ASCII become {@code _}; {@code "} and {@code \} are escaped), {@code q} = the limit and
 * {@code w} = the window in seconds. The draft allows only whole seconds: a window that is not a
 * whole number of seconds is sent without {@code w}.</li>
 * <li>A service-limit item has {@code r} = remaining units and {@code t} = seconds, rounded up,
 * until more quota is available: the retry-after of a denial (so that {@code Retry-After} never
 * points before it), otherwise the reset time. {@code t} is left out when the request can never
 * succeed.</li>
 * <li>{@code Retry-After} is the wait rounded up to whole seconds, at least 1; there is none for an
 * allowed decision or one that can never succeed.</li>
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class RateLimitHeaders {

    /** {@value}. */
    public static final String POLICY = "RateLimit-Policy";
    /** {@value}. */
    public static final String RATE_LIMIT = "RateLimit";
    /** {@value}. */
    public static final String RETRY_AFTER = "Retry-After";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RateLimitHeaders() {
    }

    /** The {@code RateLimit-Policy} value of the rules, e.g. {@code "burst";q=10;w=1, "hourly";q=1000;w=3600}. */
    public static String policy(List<RateLimit> rules) {
        requireNonEmpty(rules, "rules");
        StringBuilder sb = new StringBuilder();
        for (RateLimit rule : rules) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            appendName(sb, rule.name()).append(";q=").append(rule.limit());
            long window = rule.windowNanos();
            if (window % NANOS_PER_SECOND == 0) {
                sb.append(";w=").append(window / NANOS_PER_SECOND);
            }
        }
        return sb.toString();
    }

    /** The {@code RateLimit-Policy} value of the rules. */
    public static String policy(RateLimit... rules) {
        Objects.requireNonNull(rules, "rules");
        for (int i = 0; i < rules.length; i++) {
            Objects.requireNonNull(rules[i], "rules[" + i + "]");
        }
        return policy(List.of(rules));
    }

    /** The {@code RateLimit} value of one decision, e.g. {@code "api";r=42;t=17}. */
    public static String rateLimit(Decision decision) {
        return rateLimit(List.of(Objects.requireNonNull(decision, "decision")));
    }

    /** The {@code RateLimit} value of several decisions (one item each, e.g. a status's rules). */
    public static String rateLimit(List<Decision> decisions) {
        requireNonEmpty(decisions, "decisions");
        StringBuilder sb = new StringBuilder();
        for (Decision d : decisions) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            appendName(sb, d.rule().name()).append(";r=").append(d.remaining());
            long wait = d.allowed() ? d.resetAfterNanos() : d.retryAfterNanos();
            if (wait != Decision.NEVER) {
                sb.append(";t=").append(ceilSeconds(wait));
            }
        }
        return sb.toString();
    }

    /** {@code Retry-After} seconds of a denial; empty if allowed or if it can never succeed. */
    public static OptionalLong retryAfterSeconds(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        if (decision.allowed() || !decision.canSucceedLater()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, ceilSeconds(decision.retryAfterNanos())));
    }

    /** {@code Retry-After} seconds of an error that knows its wait (6001, 5004...); empty otherwise. */
    public static OptionalLong retryAfterSeconds(InfraError error) {
        Objects.requireNonNull(error, "error");
        Duration wait = error.retryAfter();
        if (wait == null || !error.isRetryable()) {
            return OptionalLong.empty();
        }
        long nanos = wait.getSeconds() >= Long.MAX_VALUE / NANOS_PER_SECOND ? Long.MAX_VALUE - 1 : wait.toNanos();
        return OptionalLong.of(Math.max(1, ceilSeconds(nanos)));
    }

    /**
     * All three headers for a decision, in order: {@code RateLimit-Policy}, {@code RateLimit} and,
     * for a denial that can succeed later, {@code Retry-After}.
     */
    public static Map<String, String> of(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(POLICY, policy(decision.rule()));
        headers.put(RATE_LIMIT, rateLimit(decision));
        retryAfterSeconds(decision).ifPresent(s -> headers.put(RETRY_AFTER, Long.toString(s)));
        return headers;
    }

    private static long ceilSeconds(long nanos) {
        return nanos / NANOS_PER_SECOND + (nanos % NANOS_PER_SECOND == 0 ? 0 : 1);
    }

    /** Appends {@code name} as a structured-field String. */
    private static StringBuilder appendName(StringBuilder sb, String name) {
        sb.append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                sb.append('_');
            } else {
                sb.append(c);
            }
        }
        return sb.append('"');
    }

    private static void requireNonEmpty(List<?> list, String what) {
        Objects.requireNonNull(list, what);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new NullPointerException(what + "[" + i + "] must not be null");
            }
        }
    }
}
