package dev.bulwark.spring.app;

import dev.bulwark.spring.BulwarkInfrastructureCustomizer;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * A small service protected with Bulwark, for the HTTP tests: a stock endpoint behind a breaker with
 * retries and a fallback method, an asynchronous price with a configured fallback value, a payment
 * behind a critical breaker, reports shed under memory pressure (the monitor reads a fake heap), and
 * actuator writes that need the {@code OPS} role.
 */
@SpringBootApplication
public class ShopApplication {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, "/actuator/**").hasRole("OPS")
                        .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.ignoringRequestMatchers("/actuator/**", "/api/**"));
        return http.build();
    }

    /** The memory monitor reads the fake heap, so that the tests decide the memory pressure. */
    @Bean
    BulwarkInfrastructureCustomizer fakeHeap(FakeDependencies fake) {
        return builder -> builder.memorySource(fake.heap::get);
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(User.withUsername("ops").password("{noop}secret").roles("OPS").build());
    }
}
