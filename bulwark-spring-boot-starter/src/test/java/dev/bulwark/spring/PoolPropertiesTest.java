package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.pool.PooledCall;
import dev.bulwark.pool.ResourceFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code bulwark.pools.*} sizes a pool, a {@link BulwarkConfigCustomizer} bean gives its factory,
 * and a protection's pool stage runs calls with its resources; a pool without a factory fails the
 * start, naming the pool.
 */
class PoolPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BulwarkAutoConfiguration.class))
            .withPropertyValues(
                    "bulwark.pools.clients.max-size=2",
                    "bulwark.pools.clients.checkout-timeout=50ms",
                    "bulwark.protections.stock.pool=clients");

    /** A client that remembers which one it is. */
    record Client(int id) {
    }

    @Configuration(proxyBeanMethods = false)
    static class ClientFactoryConfig {
        static final AtomicInteger CREATED = new AtomicInteger();

        @Bean
        BulwarkConfigCustomizer clients() {
            ResourceFactory<Client> factory = () -> new Client(CREATED.incrementAndGet());
            return config -> config.poolFactories().pool("clients", factory);
        }
    }

    @Test
    void thePropertiesSizeThePoolAndTheCustomizerGivesItsFactory() {
        runner.withUserConfiguration(ClientFactoryConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            Infrastructure infra = context.getBean(Infrastructure.class);
            int before = ClientFactoryConfig.CREATED.get();

            Result<Integer> first = infra.executeProtected("stock", () -> PooledCall.resource(Client.class).id());
            Result<Integer> second = infra.executeProtected("stock", () -> PooledCall.resource(Client.class).id());

            assertThat(first.isOk()).isTrue();
            assertThat(second).isEqualTo(first);                           // the same client, given back
            assertThat(ClientFactoryConfig.CREATED.get() - before).isEqualTo(1);
            assertThat(infra.status().components().get("pool_clients")).isInstanceOfSatisfying(PoolStatus.class,
                    s -> assertThat(s.maxSize()).isEqualTo(2));
        });
    }

    @Test
    void aPoolWithoutAFactoryFailsTheStartNamingThePool() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("pool 'clients' has no resource factory");
        });
    }
}
