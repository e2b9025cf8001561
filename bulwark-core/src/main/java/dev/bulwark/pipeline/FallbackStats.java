package dev.bulwark.pipeline;

import dev.bulwark.spi.ComponentStatus;
import java.time.Duration;

/**
 * A snapshot of a {@link Fallback}.
 *
 * @param used         failures answered by the fallback
 * @param lastGoodUsed of those, failures answered with the last good value
 * @param failed       failures the fallback could not answer (its supplier threw: error 7005)
 * @param lastGoodAge  age of the kept last good value, or null if none is kept
 */
public record FallbackStats(long used, long lastGoodUsed, long failed, Duration lastGoodAge)
        implements ComponentStatus {
}
