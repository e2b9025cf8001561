package dev.bulwark.pipeline;

import dev.bulwark.spi.ComponentStatus;

/**
 * A snapshot of a {@link Timeout}'s counters since it was created.
 *
 * @param calls    calls started under the timeout
 * @param timedOut calls that ran out of time (error 7002)
 */
public record TimeoutStats(long calls, long timedOut) implements ComponentStatus {
}
