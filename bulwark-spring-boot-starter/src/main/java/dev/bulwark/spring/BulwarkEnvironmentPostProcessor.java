package dev.bulwark.spring;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults of lowest precedence (any setting of the application wins): the {@code bulwark} health
 * contributor in the readiness group beside {@code readinessState}, {@code bulwarkLiveness} in the
 * liveness group beside {@code livenessState}, the probes enabled, and
 * {@code DEGRADED} in the status order between {@code OUT_OF_SERVICE} and {@code UP} (a status the
 * order does not name would be ignored by the aggregation).
 */
public class BulwarkEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE = "bulwarkDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE)) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(
                "management.endpoint.health.probes.enabled", "true",
                "management.endpoint.health.group.readiness.include", "readinessState,bulwark",
                "management.endpoint.health.group.liveness.include", "livenessState,bulwarkLiveness",
                "management.endpoint.health.status.order", "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN")));
    }
}
