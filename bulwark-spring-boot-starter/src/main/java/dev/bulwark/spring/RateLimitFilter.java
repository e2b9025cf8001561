package dev.bulwark.spring;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimitHeaders;
import dev.bulwark.ratelimit.RateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-caller rate limiting of HTTP requests: each request counts against its caller (a header, the
 * principal, or the remote address) under one rule; an admitted request carries {@code RateLimit}
 * and {@code RateLimit-Policy} headers, a denied one is answered {@code 429 Too Many Requests} with
 * those headers, {@code Retry-After} and a JSON body with the error (code 6001). When the limiter's
 * store cannot decide and fails closed (6010), the answer is 503. The caller resolved is kept in the
 * request attribute {@value #CALLER_ATTRIBUTE} (where {@link Protected} methods find it). Thread-safe.
 */
public final class RateLimitFilter extends OncePerRequestFilter {

    /** The request attribute holding the caller the filter counted. */
    public static final String CALLER_ATTRIBUTE = "dev.bulwark.spring.caller";

    private final RateLimiter limiter;
    private final RateLimit rule;
    private final String operation;
    private final WebSettings.CallerSource source;
    private final String header;

    RateLimitFilter(RateLimiter limiter, RateLimit rule, String operation, WebSettings.CallerSource source, String header) {
        this.limiter = limiter;
        this.rule = rule;
        this.operation = operation;
        this.source = source;
        this.header = header;
    }

    /** The caller {@code request} counts against. */
    String caller(HttpServletRequest request) {
        switch (source) {
            case HEADER -> {
                String value = request.getHeader(header);
                if (value != null && !value.isBlank()) {
                    return "header:" + value.trim();
                }
            }
            case PRINCIPAL -> {
                Principal principal = request.getUserPrincipal();
                if (principal != null && principal.getName() != null) {
                    return "principal:" + principal.getName();
                }
            }
            default -> {
            }
        }
        return "ip:" + request.getRemoteAddr();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String caller = caller(request);
        request.setAttribute(CALLER_ATTRIBUTE, caller);
        Result<Decision> result = limiter.checkRate(caller, operation, rule);
        if (result instanceof Result.Ok<Decision> ok) {
            response.setHeader(RateLimitHeaders.POLICY, RateLimitHeaders.policy(rule));
            response.setHeader(RateLimitHeaders.RATE_LIMIT, RateLimitHeaders.rateLimit(ok.value()));
            chain.doFilter(request, response);
            return;
        }
        InfraError error = ((Result.Err<Decision>) result).error();
        if (error.code() != 6001) {
            response.setStatus(error.code() == 6010 ? HttpServletResponse.SC_SERVICE_UNAVAILABLE : error.httpStatus());
            RateLimitHeaders.retryAfterSeconds(error).ifPresent(s -> response.setHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(s)));
            body(response, error);
            return;
        }
        Duration wait = error.retryAfter() != null ? error.retryAfter() : Duration.ZERO;
        long waitNanos = wait.getSeconds() > 1_000_000_000L ? Decision.NEVER : Math.max(1, wait.toNanos());
        boolean never = !error.isRetryable();
        Decision denied = Decision.denied(rule, 0, never ? Decision.NEVER : waitNanos, never ? Decision.NEVER : waitNanos);
        for (Map.Entry<String, String> h : RateLimitHeaders.of(denied).entrySet()) {
            response.setHeader(h.getKey(), h.getValue());
        }
        response.setStatus(429);
        body(response, error);
    }

    private static void body(HttpServletResponse response, InfraError error) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        String json = "{\"code\":" + error.code() + ",\"type\":\"" + error.type().name() + "\",\"message\":\""
                + escape(error.message()) + "\"}";
        response.getWriter().write(json);
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
