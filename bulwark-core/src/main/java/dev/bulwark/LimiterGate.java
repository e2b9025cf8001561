package dev.bulwark;

import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import java.util.List;

/**
 * The pipeline's rate-limit part on the infrastructure's {@link RateLimiter}. When nobody listens
 * to the limiter's events, an admission is the limiter's allocation-free {@code tryAcquire}; a
 * denial (or any event listener) goes through {@code checkRate}, which builds the 6001 error with
 * its exact {@code retryAfter} and emits the limiter's events once. A denied {@code tryAcquire}
 * records nothing, so asking {@code checkRate} afterwards never counts a call twice.
 */
final class LimiterGate implements RateLimitGate {

    private final RateLimiter limiter;
    private final EventChannel allowed;
    private final EventChannel denied;

    LimiterGate(RateLimiter limiter, Telemetry telemetry) {
        this.limiter = limiter;
        this.allowed = telemetry.channel(telemetry.name(Events.RATE_LIMITER_REQUEST_ALLOWED));
        this.denied = telemetry.channel(telemetry.name(Events.RATE_LIMITER_REQUEST_DENIED));
    }

    @Override
    public InfraError acquire(String entityId, String operation, RateLimit rule) {
        if (!allowed.isActive() && !denied.isActive()) {
            try {
                if (limiter.tryAcquire(entityId, operation, rule)) {
                    return null;
                }
            } catch (InfraException e) {
                return e.error();
            } catch (RuntimeException badInput) {
                // checkRate below answers bad input with its 6009 error
            }
        }
        Result<Decision> decision = limiter.checkRate(entityId, operation, rule);
        return decision instanceof Result.Err<Decision> err ? err.error() : null;
    }

    @Override
    public dev.bulwark.ratelimit.RateLimitStatus status(String entityId, String operation, RateLimit rule) {
        return limiter.status(entityId, operation, List.of(rule)).orElse(null);
    }
}
