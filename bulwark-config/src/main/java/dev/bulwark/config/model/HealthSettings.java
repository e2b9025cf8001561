package dev.bulwark.config.model;

import java.time.Duration;
import java.util.List;

/**
 * {@code health}: the health registry's configuration ({@code HealthConfig}): the timeout and TTL
 * of checks registered without their own, the breakers marked critical, the rate limiter's
 * key-bound warning. {@code criticalBreakers} can change on a reload; the rest applies when the
 * infrastructure is built.
 *
 * @param checkTimeout     after how long a check's run is given up on (the check is then DOWN)
 * @param checkTtl         how long a check's result is reused before it runs again
 * @param criticalBreakers breakers whose opening makes readiness DOWN instead of DEGRADED
 * @param keyBoundWarning  the share of the in-memory store's key bound from which its check is DEGRADED
 */
public record HealthSettings(
        @Doc(value = "After how long a check's run is given up on; the check is then DOWN.", defaultValue = "1s") Duration checkTimeout,
        @Doc(value = "How long a check's result is reused before the check runs again.", defaultValue = "2s") Duration checkTtl,
        @Doc("Breakers whose opening makes readiness DOWN instead of DEGRADED, besides those with critical: true.") List<String> criticalBreakers,
        @Doc(value = "The share, in (0, 1], of the in-memory rate limiter's key bound from which its check is DEGRADED.",
                defaultValue = "0.9") Double keyBoundWarning) {

    public HealthSettings {
        criticalBreakers = criticalBreakers == null ? null : List.copyOf(criticalBreakers);
    }
}
