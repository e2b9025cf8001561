package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.error.InfraError;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Regression tests of issue #17 (hardening), one per defect, through the public API. Each test was
 * seen failing before its fix; the name says the behaviour it holds.
 */
class HardeningRegressionTest {

    final ManualClock clock = new ManualClock();
    final Infrastructure infra = Infrastructure.builder().clock(clock).build();

    @AfterEach
    void close() {
        infra.close();
    }

    private static int code(Result<?> result) {
        return result.errValue().map(InfraError::code).orElse(0);
    }

    @Nested
    class BlankKeys {

        @Test
        void tryAcquireRejectsABlankEntityOrOperationLikeCheckRate() {
            RateLimiter limiter = infra.rateLimiter();
            assertThatThrownBy(() -> limiter.tryAcquire(" ", "op", RateLimit.perSecond(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entityId").hasMessageContaining("' '");
            assertThatThrownBy(() -> limiter.tryAcquire("user", "", RateLimit.perSecond(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation").hasMessageContaining("''");
            assertThatThrownBy(() -> limiter.tryAcquire(null, "op", RateLimit.perSecond(1)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("entityId");
            assertThat(code(limiter.checkRate(" ", "", RateLimit.perSecond(1)))).isEqualTo(6009);
        }

        @Test
        void aPerCallerLimitAnswers6009ForABlankEntityWhateverTelemetryListens() {
            Protection perCaller = Protection.builder().rateLimitPerCaller("op", 2, Duration.ofMinutes(1)).build();
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                codes.add(code(infra.executeProtected(perCaller, " ", () -> "ok")));
            }
            infra.telemetry().attach("listener", infra.telemetry().name(Events.RATE_LIMITER_REQUEST_ALLOWED),
                    (event, measurements, metadata) -> { });
            for (int i = 0; i < 3; i++) {
                codes.add(code(infra.executeProtected(perCaller, " ", () -> "ok")));
            }
            assertThat(codes).containsOnly(6009).hasSize(6);
        }
    }
}
