package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.config.BulwarkConfig;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The actuator endpoint {@code bulwark} ({@link BulwarkEndpoint}), when it is exposed. */
@AutoConfiguration(after = BulwarkAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Infrastructure.class)
public class BulwarkEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public BulwarkEndpoint bulwarkEndpoint(Infrastructure infrastructure, BulwarkConfig config) {
        return new BulwarkEndpoint(infrastructure, config);
    }
}
