package dev.bulwark.config.model;

import dev.bulwark.ratelimit.Algorithm;
import java.time.Duration;

/**
 * {@code rateLimits.<name>}: a named rate-limit rule, {@code limit} units per {@code window}.
 *
 * @param limit     units admitted per window (0 admits nothing)
 * @param window    the window length
 * @param algorithm the algorithm enforcing it
 */
public record RateLimitSettings(
        @Doc("Units admitted per window; 0 admits nothing.") Long limit,
        @Doc("The window length.") Duration window,
        @Doc(value = "The algorithm: sliding_window, fixed_window, token_bucket, leaky_bucket or gcra.",
                defaultValue = "sliding_window") Algorithm algorithm) {
}
