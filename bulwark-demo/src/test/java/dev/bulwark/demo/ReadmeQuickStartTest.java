package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimitHeaders;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's quick start, kept compiling and true: the same statements against fakes. */
class ReadmeQuickStartTest {

    record User(String name) {
    }

    @Test
    void quickStartRunsAsTheReadmeSays() {
        Map<String, String> headers = new HashMap<>();
        try (Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build()) {

            CircuitBreaker db = infra.circuitBreakers().install("database_service");
            Result<List<User>> users = db.execute(() -> List.of(new User("ada")));
            assertThat(users.getOrThrow()).containsExactly(new User("ada"));

            Result<Decision> check = null;
            for (int i = 0; i < 101; i++) {
                check = infra.rateLimiter().checkRate("user:123", "api_call", 100, Duration.ofMinutes(1));
            }
            check.ifErr(e -> RateLimitHeaders.retryAfterSeconds(e)
                    .ifPresent(seconds -> headers.put("Retry-After", Long.toString(seconds))));
            assertThat(check.isErr()).isTrue();
            assertThat(headers).containsKey("Retry-After");

            infra.configureProtection("inventory", Protection.builder()
                    .fallback(FallbackConfig.builder().lastGoodValue(Duration.ofSeconds(30)).build())
                    .rateLimitPerCaller("inventory.read", 20, Duration.ofSeconds(1))
                    .retry(RetryConfig.builder().maxAttempts(3).build())
                    .circuitBreaker("inventory", CircuitBreakerConfig.defaults())
                    .attemptTimeout(Duration.ofMillis(500))
                    .build());
            Result<Integer> stock = infra.executeProtected("inventory", "user:123", () -> 7);
            assertThat(stock.getOrThrow()).isEqualTo(7);
        }
    }
}
