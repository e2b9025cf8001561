package dev.bulwark.spring;

import dev.bulwark.config.model.Doc;
import dev.bulwark.ratelimit.Algorithm;
import java.time.Duration;
import java.util.List;

/**
 * {@code bulwark.web}: the HTTP side of the starter (servlet applications).
 *
 * @param rateLimit the per-caller rate-limit filter
 */
public record WebSettings(
        @Doc("The per-caller rate-limit filter: 429 with RateLimit, RateLimit-Policy and Retry-After.") RateLimitFilterSettings rateLimit) {

    /** Where the filter takes the caller from. */
    public enum CallerSource {
        /** A request header ({@code header}), e.g. an API key. */
        HEADER,
        /** The authenticated principal's name. */
        PRINCIPAL,
        /** The client's address. */
        REMOTE_ADDRESS
    }

    /**
     * @param enabled     whether the filter runs
     * @param rule        a rule of {@code bulwark.rate-limits} (or limit and window inline)
     * @param limit       inline rule: requests per window
     * @param window      inline rule: the window
     * @param algorithm   inline rule: the algorithm
     * @param operation   the operation counted
     * @param caller      where the caller comes from
     * @param header      the header naming the caller, with {@code caller: header}
     * @param urlPatterns the paths limited
     * @param order       the filter's order
     */
    public record RateLimitFilterSettings(
            @Doc(value = "Whether the filter runs.", defaultValue = "true") Boolean enabled,
            @Doc("A rule of bulwark.rate-limits (instead of limit and window).") String rule,
            @Doc("Inline rule: requests admitted per window.") Long limit,
            @Doc("Inline rule: the window length.") Duration window,
            @Doc(value = "Inline rule: the algorithm.", defaultValue = "sliding_window") Algorithm algorithm,
            @Doc(value = "The operation counted.", defaultValue = "http") String operation,
            @Doc(value = "Where the caller comes from: header, principal or remote_address; a request without a header"
                    + " or principal counts by its remote address.", defaultValue = "remote_address") CallerSource caller,
            @Doc(value = "The header naming the caller, with caller: header.", defaultValue = "X-Api-Key") String header,
            @Doc(value = "The URL patterns limited.", defaultValue = "/*") List<String> urlPatterns,
            @Doc("The filter's order; by default before Spring Security, or just after it with caller: principal.") Integer order) {
    }
}
