package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.config.BulwarkConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code bulwark} ({@link BulwarkHealthIndicator}), in the readiness group by
 * default (docs/spring-boot.md, "Health").
 */
@AutoConfiguration(after = BulwarkAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Infrastructure.class)
public class BulwarkHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "bulwarkHealthIndicator")
    public BulwarkHealthIndicator bulwarkHealthIndicator(Infrastructure infrastructure, BulwarkConfig config) {
        return new BulwarkHealthIndicator(infrastructure, config);
    }
}
