package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.time.ManualClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Breakers and protections added and removed at runtime gain and lose their series. */
class FollowingComponentsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private long seriesTagged(String key, String value) {
        return registry.getMeters().stream().map(Meter::getId).filter(id -> value.equals(id.getTag(key))).count();
    }

    @Test
    void aBreakerInstalledBeforeTheBinderIsFollowedFromTheStart() {
        try (Infrastructure infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry)).build()) {
            assertThat(registry.find("bulwark.circuit_breaker.state").gauges()).isEmpty();
            infra.circuitBreakers().install("payments");
            assertThat(registry.get("bulwark.circuit_breaker.state").tags("name", "payments").gauge().value()).isZero();
        }
    }

    @Test
    void breakersComeAndGoAtRuntime() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock)
                .install(BulwarkMetrics.bindTo(registry, MetricsConfig.builder().maxTagValues("name", 2).build())).build()) {
            infra.circuitBreakers().install("a").execute(() -> "ok");
            infra.circuitBreakers().install("b").execute(() -> {
                throw new IOException("x");
            });
            assertThat(seriesTagged("name", "a")).isEqualTo(3);   // state, failure_rate, calls{success}
            assertThat(seriesTagged("name", "b")).isEqualTo(3);

            // the bound is 2: a third breaker has no gauge, its calls go to "other"
            infra.circuitBreakers().install("c").execute(() -> "ok");
            assertThat(seriesTagged("name", "c")).isZero();
            assertThat(registry.get("bulwark.circuit_breaker.calls").tags("name", "other", "status", "success")
                    .functionTimer().count()).isEqualTo(1);

            infra.circuitBreakers().remove("a");
            assertThat(seriesTagged("name", "a")).isZero();

            // a's place under the bound is free again
            infra.circuitBreakers().install("d").execute(() -> "ok");
            assertThat(seriesTagged("name", "d")).isEqualTo(3);
            assertThat(registry.get("bulwark.circuit_breaker.state").tags("name", "d").gauge().value()).isZero();

            // re-installing "a" starts it afresh, counts from zero
            infra.circuitBreakers().remove("d");
            infra.circuitBreakers().install("a").execute(() -> "ok");
            assertThat(registry.get("bulwark.circuit_breaker.calls").tags("name", "a", "status", "success")
                    .functionTimer().count()).isEqualTo(1);
        }
    }

    @Test
    void protectionsComeAndGoWithTheirStagesSeries() {
        try (Infrastructure infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry)).build()) {
            infra.configureProtection("orders", Protection.builder().bulkhead(BulkheadConfig.of(4))
                    .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build())
                    .attemptTimeout(Duration.ofSeconds(1)).build());
            assertThat(registry.get("bulwark.bulkhead.in_flight").tags("name", "orders").gauge().value()).isZero();
            infra.executeProtected("orders", () -> {
                throw new IOException("x");
            });
            assertThat(registry.get("bulwark.retry.retries").tags("name", "orders").counter().count()).isEqualTo(1);
            assertThat(seriesTagged("key", "orders")).isEqualTo(1);

            // reconfigured without a bulkhead: the bulkhead gauges go, the rest stays
            infra.configureProtection("orders", Protection.builder()
                    .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build()).build());
            assertThat(registry.find("bulwark.bulkhead.in_flight").gauges()).isEmpty();
            assertThat(registry.get("bulwark.retry.retries").tags("name", "orders").counter().count()).isEqualTo(1);

            infra.removeProtection("orders");
            assertThat(seriesTagged("key", "orders")).isZero();
            assertThat(seriesTagged("name", "orders")).isZero();
        }
    }
}
