package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.time.ManualClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whatever callers send, the number of series stays where the configuration bounds it. */
class CardinalityTest {

    private static int seriesAfter(int entities) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).install(BulwarkMetrics.bindTo(registry)).build()) {
            infra.configureProtection("api", Protection.builder().rateLimitPerCaller("api.read", 1, Duration.ofMinutes(1)).build());
            for (int i = 0; i < entities; i++) {
                String entity = "user:" + i;
                infra.rateLimiter().checkRate(entity, "search", 1, Duration.ofMinutes(1));
                infra.rateLimiter().checkRate(entity, "search", 1, Duration.ofMinutes(1));   // denied
                infra.executeProtected("api", entity, () -> "ok");
                infra.executeProtected("api", entity, () -> "ok");                          // denied
            }
            assertThat(registry.get("bulwark.rate_limiter.decisions").tags("operation", "search", "outcome", "denied")
                    .counter().count()).isEqualTo(entities);
            return registry.getMeters().size();
        }
    }

    @Test
    void aHundredThousandEntitiesMakeAsManySeriesAsOne() {
        int one = seriesAfter(1);
        int many = seriesAfter(100_000);
        assertThat(many).isEqualTo(one);
    }

    @Test
    void distinctValuesOfATagBeyondItsBoundShareTheOverflowSeriesAndAreCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MetricsConfig config = MetricsConfig.builder().maxTagValues("operation", 10).build();
        try (Infrastructure infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry, config)).build()) {
            for (int i = 0; i < 1_000; i++) {
                infra.rateLimiter().checkRate("user", "op" + i, 100, Duration.ofMinutes(1));
            }
            java.util.Collection<Meter> decisions = registry.find("bulwark.rate_limiter.decisions").meters();
            assertThat(decisions).hasSize(11);
            assertThat(registry.get("bulwark.rate_limiter.decisions").tags("operation", "other").counter().count())
                    .isEqualTo(990);
            assertThat(registry.get("bulwark.micrometer.tag_overflows").tags("component", "rate_limiter", "tag", "operation")
                    .functionCounter().count()).isEqualTo(990);
            assertThat(infra.status().component("micrometer", BulwarkMetrics.Status.class).orElseThrow().tagOverflows())
                    .containsEntry("rate_limiter.operation", 990L);
        }
    }

    @Test
    void unknownBreakerNamesFromCallersAreBoundedToo() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MetricsConfig config = MetricsConfig.builder().maxTagValues("name", 5).build();
        try (Infrastructure infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry, config)).build()) {
            CircuitBreakers breakers = infra.circuitBreakers();
            for (int i = 0; i < 10_000; i++) {
                breakers.execute("no_such_breaker_" + i, () -> "x");      // 5005, call_rejected reason not_found
            }
            assertThat(registry.find("bulwark.circuit_breaker.rejections").meters()).hasSize(6);
            assertThat(registry.get("bulwark.circuit_breaker.rejections").tags("name", "other", "reason", "not_found")
                    .counter().count()).isEqualTo(9_995);
        }
    }

    @Test
    void concurrentCallersCountExactlyAndNeverExceedTheBound() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MetricsConfig config = MetricsConfig.builder().maxTagValues("operation", 16).build();
        int threads = 8;
        int perThread = 20_000;
        try (Infrastructure infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry, config)).build()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        infra.rateLimiter().checkRate("e" + id, "op" + (i % 64), 1_000_000, Duration.ofMinutes(1));
                    }
                });
                w.start();
                workers.add(w);
            }
            start.countDown();
            for (Thread w : workers) {
                w.join(TimeUnit.MINUTES.toMillis(1));
            }
            java.util.Collection<Meter> decisions = registry.find("bulwark.rate_limiter.decisions").meters();
            assertThat(decisions).hasSize(17);
            double total = registry.find("bulwark.rate_limiter.decisions").counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
            assertThat(total).isEqualTo((double) threads * perThread);
            // every event beyond the bound is counted once as an overflow, under "other"
            double other = registry.get("bulwark.rate_limiter.decisions").tags("operation", "other").counter().count();
            double admitted = registry.find("bulwark.rate_limiter.decisions").counters().stream()
                    .filter(c -> !"other".equals(c.getId().getTag("operation")))
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
            assertThat(other).isEqualTo(total - admitted).isGreaterThanOrEqualTo(threads * (perThread - 16 * 313.0));
            assertThat(registry.get("bulwark.micrometer.tag_overflows").tags("component", "rate_limiter", "tag", "operation")
                    .functionCounter().count()).isEqualTo(other);
        }
    }

    @Test
    void configIsValidatedAndHasValueEquality() {
        assertThatThrownBy(() -> MetricsConfig.builder().maxTagValues(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTagValues must be > 0, was 0");
        assertThatThrownBy(() -> MetricsConfig.builder().maxTagValues(" ", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tagKey must be non-blank, was ' '");
        assertThatThrownBy(() -> MetricsConfig.builder().protectionPercentiles(0.5, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a percentile is in [0, 1], was 1.5");
        assertThatThrownBy(() -> MetricsConfig.builder().overflowValue(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("overflowValue must be non-blank, was ''");
        MetricsConfig a = MetricsConfig.builder().maxTagValues("name", 3).protectionPercentiles(0.5, 0.99).build();
        MetricsConfig b = MetricsConfig.builder().maxTagValues("name", 3).protectionPercentiles(0.5, 0.99).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(MetricsConfig.defaults());
        assertThat(a.maxTagValues("name")).isEqualTo(3);
        assertThat(a.maxTagValues("operation")).isEqualTo(MetricsConfig.DEFAULT_MAX_TAG_VALUES);
    }

    @Test
    void aBinderServesOneInfrastructure() {
        BulwarkMetrics binder = BulwarkMetrics.bindTo(new SimpleMeterRegistry());
        try (Infrastructure first = Infrastructure.builder().install(binder).build()) {
            assertThatThrownBy(() -> Infrastructure.builder().install(binder).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("installed already");
            assertThat(first.isRunning()).isTrue();
        }
    }
}
