package dev.bulwark.spring;

import dev.bulwark.spi.BulwarkModule;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.InvocationTargetException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Bulwark's meters in the application's {@link MeterRegistry}: installs the bulwark-micrometer
 * module ({@code BulwarkMetrics.bindTo(registry)}) into the auto-configured infrastructure when that
 * module and Micrometer are on the class path and the application has a registry.
 *
 * <p>The module is looked up by name so that the starter does not require it: an application adds
 * {@code dev.bulwark:bulwark-micrometer} to get the meters.
 */
@AutoConfiguration(before = BulwarkAutoConfiguration.class)
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", BulwarkMetricsAutoConfiguration.MODULE})
public class BulwarkMetricsAutoConfiguration {

    static final String MODULE = "dev.bulwark.micrometer.BulwarkMetrics";

    @Bean
    public BulwarkInfrastructureCustomizer bulwarkMetricsCustomizer(ObjectProvider<MeterRegistry> registry) {
        return builder -> {
            MeterRegistry r = registry.getIfAvailable();
            if (r != null) {
                builder.install(module(r));
            }
        };
    }

    static BulwarkModule module(MeterRegistry registry) {
        try {
            Class<?> type = Class.forName(MODULE, true, BulwarkMetricsAutoConfiguration.class.getClassLoader());
            return (BulwarkModule) type.getMethod("bindTo", MeterRegistry.class).invoke(null, registry);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("binding Bulwark's meters failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("bulwark-micrometer is on the class path but " + MODULE
                    + ".bindTo(MeterRegistry) cannot be called: " + e, e);
        }
    }
}
