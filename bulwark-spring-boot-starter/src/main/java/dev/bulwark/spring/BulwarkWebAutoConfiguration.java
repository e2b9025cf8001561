package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.tree.ConfigTrees;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The per-caller rate-limit filter ({@link RateLimitFilter}) of a servlet application, configured
 * under {@code bulwark.web.rate-limit}; registered disabled when that section is absent or
 * {@code enabled: false}.
 */
@AutoConfiguration(after = BulwarkAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({OncePerRequestFilter.class, FilterRegistrationBean.class})
@ConditionalOnBean(Infrastructure.class)
public class BulwarkWebAutoConfiguration {

    /** Spring Security's filter chain order (SecurityFilterProperties.DEFAULT_FILTER_ORDER). */
    static final int SECURITY_ORDER = -100;

    @Bean
    public FilterRegistrationBean<RateLimitFilter> bulwarkRateLimitFilter(Infrastructure infrastructure, BulwarkConfig config) {
        WebSettings web = config.current().section("web", WebSettings.class);
        WebSettings.RateLimitFilterSettings s = web == null ? null : web.rateLimit();
        boolean enabled = s != null && !Boolean.FALSE.equals(s.enabled());
        RateLimit rule = enabled ? rule(s, config.current().rateLimits()) : RateLimit.of(1, java.time.Duration.ofSeconds(1));
        WebSettings.CallerSource source = s != null && s.caller() != null ? s.caller() : WebSettings.CallerSource.REMOTE_ADDRESS;
        RateLimitFilter filter = new RateLimitFilter(infrastructure.rateLimiter(), rule,
                s != null && s.operation() != null ? s.operation() : "http", source,
                s != null && s.header() != null ? s.header() : "X-Api-Key");
        FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("bulwarkRateLimitFilter");
        registration.setEnabled(enabled);
        List<String> patterns = s != null && s.urlPatterns() != null && !s.urlPatterns().isEmpty() ? s.urlPatterns() : List.of("/*");
        registration.setUrlPatterns(patterns);
        registration.setOrder(s != null && s.order() != null ? s.order()
                : source == WebSettings.CallerSource.PRINCIPAL ? SECURITY_ORDER + 10 : SECURITY_ORDER - 10);
        return registration;
    }

    private static RateLimit rule(WebSettings.RateLimitFilterSettings s, Map<String, RateLimit> rules) {
        String at = "bulwark.web.rate-limit";
        if (s.rule() != null) {
            RateLimit rule = rules.get(s.rule());
            if (rule == null) {
                String nearest = ConfigTrees.nearestName(s.rule(), rules.keySet());
                throw new IllegalStateException("invalid value '" + s.rule() + "' at " + at + ".rule: no rule of"
                        + " bulwark.rate-limits is named '" + s.rule() + "'"
                        + (nearest != null ? ": did you mean '" + nearest + "'?" : " (known: " + String.join(", ", rules.keySet()) + ")"));
            }
            return rule;
        }
        if (s.limit() == null || s.window() == null) {
            throw new IllegalStateException("missing key at " + at + ": give a rule, or a limit and a window");
        }
        try {
            return RateLimit.of("http", s.limit(), s.window(), s.algorithm() != null ? s.algorithm() : Algorithm.SLIDING_WINDOW);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid value at " + at + ": " + e.getMessage(), e);
        }
    }
}
