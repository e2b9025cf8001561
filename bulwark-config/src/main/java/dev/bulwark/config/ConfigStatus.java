package dev.bulwark.config;

import dev.bulwark.spi.ComponentStatus;
import java.time.Instant;

/**
 * The configuration's part of {@code infra.status()} (component {@code config}).
 *
 * @param source            where the configuration is read from
 * @param watching          whether the source is polled for changes
 * @param version           configurations applied so far (1 after the start)
 * @param protections       named protections configured by it
 * @param circuitBreakers   breakers configured by it
 * @param lastAppliedAt     when the configuration in force was applied, or null before
 * @param rejected          new configurations rejected so far
 * @param lastRejection     the message of the last rejection, or null
 * @param lastRejectedAt    when it happened, or null
 */
public record ConfigStatus(String source, boolean watching, long version, int protections, int circuitBreakers,
                           Instant lastAppliedAt, long rejected, String lastRejection, Instant lastRejectedAt)
        implements ComponentStatus {
}
