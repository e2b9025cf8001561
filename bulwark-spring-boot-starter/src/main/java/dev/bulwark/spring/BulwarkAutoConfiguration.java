package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.config.BulwarkConfig;
import java.util.function.Supplier;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link Infrastructure} of the application, built from the {@code bulwark.*} properties (the
 * schema of bulwark-config) and closed with the context, and the interceptor behind
 * {@link Protected}. Turned off with {@code bulwark.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "bulwark.enabled", matchIfMissing = true)
public class BulwarkAutoConfiguration {

    /** The configuration read from the environment; a mistake in it fails the start with every problem listed. */
    @Bean
    @ConditionalOnMissingBean
    public BulwarkConfig bulwarkConfig(ConfigurableEnvironment environment, ObjectProvider<BulwarkConfigCustomizer> customizers) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        BulwarkConfig config = BulwarkConfig.fromSource(SpringConfigReader.SOURCE, () -> SpringConfigReader.read(environment, loader));
        customizers.orderedStream().forEach(c -> c.customize(config));
        return config;
    }

    /** The infrastructure: customizers first, then the configuration; closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Infrastructure bulwarkInfrastructure(BulwarkConfig config, ObjectProvider<BulwarkInfrastructureCustomizer> customizers) {
        Infrastructure.Builder builder = Infrastructure.builder();
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return config.applyTo(builder).build();
    }

    /** Checks every {@link Protected} method of every bean at startup. */
    @Bean
    public static ProtectedMethodsValidator bulwarkProtectedMethodsValidator(ObjectProvider<Infrastructure> infrastructure) {
        return new ProtectedMethodsValidator(infrastructure);
    }

    /** The one advisor that runs {@link Protected} methods through the pipeline. */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static DefaultPointcutAdvisor bulwarkProtectedAdvisor(ObjectProvider<Infrastructure> infrastructure,
                                                                 ObjectProvider<ObjectMapper> mapper) {
        Supplier<Infrastructure> infra = infrastructure::getObject;
        Supplier<ObjectMapper> json = () -> mapper.getIfAvailable(() -> JsonMapper.builder().build());
        ProtectedInterceptor interceptor = new ProtectedInterceptor(infra, json, BulwarkAutoConfiguration::requestCaller);
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(null, Protected.class, true))
                .union(new AnnotationMatchingPointcut(Protected.class, true));
        DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        advisor.setOrder(org.springframework.core.Ordered.LOWEST_PRECEDENCE - 100);
        return advisor;
    }

    /** The caller the HTTP filter resolved for the current request, if any. */
    static String requestCaller() {
        if (!WEB) {
            return null;
        }
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        Object caller = attributes == null ? null : attributes.getAttribute(RateLimitFilter.CALLER_ATTRIBUTE,
                RequestAttributes.SCOPE_REQUEST);
        return caller == null ? null : caller.toString();
    }

    private static final boolean WEB = isPresent("org.springframework.web.context.request.RequestContextHolder");

    private static boolean isPresent(String name) {
        try {
            Class.forName(name, false, BulwarkAutoConfiguration.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
