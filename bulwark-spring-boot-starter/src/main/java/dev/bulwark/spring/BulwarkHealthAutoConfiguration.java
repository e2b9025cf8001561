package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health contributors {@code bulwark} (core's readiness report, in the readiness group by
 * default) and {@code bulwarkLiveness} (core's liveness report, in the liveness group by default),
 * both {@link BulwarkHealthIndicator}s (docs/spring-boot.md, "Health").
 */
@AutoConfiguration(after = BulwarkAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Infrastructure.class)
public class BulwarkHealthAutoConfiguration {

    /** Readiness: every breaker (DOWN only for a critical one that is open), memory pressure, key bound, checks of modules. */
    @Bean
    @ConditionalOnMissingBean(name = "bulwarkHealthIndicator")
    public BulwarkHealthIndicator bulwarkHealthIndicator(Infrastructure infrastructure) {
        return new BulwarkHealthIndicator(() -> infrastructure.health().readiness());
    }

    /** Liveness: the process's own checks only, never a dependency. */
    @Bean
    @ConditionalOnMissingBean(name = "bulwarkLivenessHealthIndicator")
    public BulwarkHealthIndicator bulwarkLivenessHealthIndicator(Infrastructure infrastructure) {
        return new BulwarkHealthIndicator(() -> infrastructure.health().liveness());
    }
}
