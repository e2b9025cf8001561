package dev.bulwark.pipeline;

import dev.bulwark.spi.ComponentStatus;
import java.time.Duration;

/**
 * A snapshot of an {@link AdaptiveConcurrency} limit.
 *
 * @param algorithm       the control law
 * @param phase           what the limit is doing: measuring, probing, slow start or avoidance
 * @param limit           calls admitted at once now
 * @param inFlight        calls holding a permit now
 * @param minLimit        the floor
 * @param maxLimit        the ceiling
 * @param baselineLatency the latency taken as unloaded, or null before the first full window
 * @param windowLatency   the median latency of the last full window, or null before it
 * @param admitted        calls admitted since creation
 * @param rejected        calls rejected since creation (error 7202)
 * @param dropped         admitted calls that timed out (a congestion signal)
 */
public record AdaptiveConcurrencyStats(AdaptiveConcurrencyConfig.Algorithm algorithm, AdaptiveConcurrency.Phase phase,
                                       int limit, int inFlight, int minLimit, int maxLimit, Duration baselineLatency,
                                       Duration windowLatency, long admitted, long rejected, long dropped)
        implements ComponentStatus {
}
