package dev.bulwark.functional;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.pipeline.Retry;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Errors are dated by the injected clock, never by the system's, whichever layer builds them. */
class ErrorTimestampTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void aFailedCallThroughAProtectionIsDatedByTheInfrastructuresClock() throws Exception {
        clock.advance(Duration.ofDays(400));   // far from the system's now
        try (Infrastructure infra = Infrastructure.builder().clock(clock).build()) {
            Protection retried = Protection.builder().bulkhead(dev.bulwark.pipeline.BulkheadConfig.of(4)).build();
            InfraError failed = infra.executeProtected(retried, () -> {
                throw new IOException("down");
            }).errValue().orElseThrow();
            assertThat(failed.code()).isEqualTo(5003);
            assertThat(failed.timestamp()).isEqualTo(clock.instant());

            InfraError async = infra.executeProtectedAsync(retried,
                    () -> java.util.concurrent.CompletableFuture.failedFuture(new IOException("down")))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS).errValue().orElseThrow();
            assertThat(async.timestamp()).isEqualTo(clock.instant());
        }
    }

    @Test
    void aPolicyUsedAloneDatesItsErrorsByItsContextsClock() {
        clock.advance(Duration.ofDays(400));
        Retry retry = Retry.of("alone", RetryConfig.builder().maxAttempts(1).build(),
                PolicyContext.builder().clock(clock).build());
        InfraError failed = retry.execute(() -> {
            throw new IllegalStateException("broken");
        }).errValue().orElseThrow();
        assertThat(failed.code()).isEqualTo(5003);   // a programming error: not retried
        assertThat(failed.timestamp()).isEqualTo(clock.instant());
    }
}
