package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What fails the start, and how it says so: a wrong fallback signature (naming the method and the
 * signature expected), a misspelt property (naming the nearest valid one), an unknown protection key;
 * and the annotation path and lifecycle without a web server. Lightweight contexts, no HTTP.
 */
class StartupChecksTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, BulwarkAutoConfiguration.class,
                    BulwarkHealthAutoConfiguration.class))
            .withPropertyValues(
                    "bulwark.circuit-breakers.stock.consecutive-failures=2",
                    "bulwark.protections.stock.retry.max-attempts=2",
                    "bulwark.protections.stock.retry.backoff=none",
                    "bulwark.protections.stock.circuit-breaker=stock");

    /** A client with a fallback method whose signature does not fit. */
    public static class WrongFallback {
        @Protected(value = "stock", fallbackMethod = "stockFallback")
        public Integer stock(String sku) {
            return 1;
        }

        Integer stockFallback(int sku) {
            return 0;
        }
    }

    /** A client whose fallback method does not exist. */
    public static class MissingFallback {
        @Protected(value = "stock", fallbackMethod = "stockFalback")
        public Integer stock(String sku) {
            return 1;
        }
    }

    /** A client naming a protection that is not configured. */
    public static class UnknownKey {
        @Protected("stok")
        public Integer stock(String sku) {
            return 1;
        }
    }

    /** A working client: sync, async, caller ids, the method's own exception. */
    public static class Client {
        static final AtomicInteger calls = new AtomicInteger();
        static volatile boolean down;

        @Protected(value = "stock", fallbackMethod = "fallback")
        public Integer stock(String sku) throws IOException {
            calls.incrementAndGet();
            if (down) {
                throw new IOException("down");
            }
            return 7;
        }

        Integer fallback(String sku, Throwable failure) {
            return failure instanceof IOException ? -1 : -2;
        }

        @Protected("stock")
        public Integer plain(String sku) throws IOException {
            calls.incrementAndGet();
            if (down) {
                throw new IOException("down");
            }
            return 7;
        }

        @Protected("stock")
        public CompletionStage<Integer> async(String sku) {
            calls.incrementAndGet();
            return down ? CompletableFuture.failedFuture(new IOException("down")) : CompletableFuture.completedFuture(8);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WrongFallbackConfig {
        @Bean
        WrongFallback wrongFallback() {
            return new WrongFallback();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class MissingFallbackConfig {
        @Bean
        MissingFallback missingFallback() {
            return new MissingFallback();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownKeyConfig {
        @Bean
        UnknownKey unknownKey() {
            return new UnknownKey();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ClientConfig {
        static final ManualClock CLOCK = new ManualClock();

        @Bean
        Client client() {
            return new Client();
        }

        @Bean
        BulwarkInfrastructureCustomizer clock() {
            return builder -> builder.clock(CLOCK);
        }
    }

    private static Throwable root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void aFallbackMethodWithTheWrongSignatureFailsTheStartNamingMethodAndExpectedSignature() {
        runner.withUserConfiguration(WrongFallbackConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(root(context.getStartupFailure()).getMessage()).isEqualTo("bean 'wrongFallback':"
                    + " @Protected(\"stock\") on dev.bulwark.spring.StartupChecksTest$WrongFallback.stock(String) names"
                    + " fallbackMethod \"stockFallback\", which does not fit: expected 'Integer stockFallback(String)' or"
                    + " 'Integer stockFallback(String, InfraError error)' (the last parameter may be any Throwable type"
                    + " instead of InfraError) in dev.bulwark.spring.StartupChecksTest$WrongFallback;"
                    + " found: Integer stockFallback(int)");
        });
    }

    @Test
    void aMissingFallbackMethodFailsTheStart() {
        runner.withUserConfiguration(MissingFallbackConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(root(context.getStartupFailure()).getMessage()).contains("names fallbackMethod \"stockFalback\"")
                    .endsWith("there is no method named stockFalback");
        });
    }

    @Test
    void aPropertyTypoFailsTheStartWithTheNearestValidName() {
        runner.withPropertyValues("bulwark.protections.stock.retry.max-attempt=3").run(context -> {
            assertThat(context).hasFailed();
            Throwable root = root(context.getStartupFailure());
            assertThat(root).isInstanceOf(ConfigException.class);
            InfraError error = ((ConfigException) root).errors().get(0);
            assertThat(error.code()).isEqualTo(1101);
            assertThat(error.message()).startsWith("unknown key 'max-attempt' at bulwark.protections.stock.retry (")
                    .endsWith("): did you mean 'max-attempts'?");
            assertThat(new ConfigFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
                    .contains("did you mean 'max-attempts'?");
        });
    }

    @Test
    void aBadValueFailsTheStartNamingThePropertyAndTheReason() {
        runner.withPropertyValues("bulwark.protections.stock.retry.max-attempts=0",
                "bulwark.rate-limits.api.window=5").run(context -> {
            ConfigException e = (ConfigException) root(context.getStartupFailure());
            assertThat(e.errors()).extracting(InfraError::message).anySatisfy(m -> assertThat(m)
                    .startsWith("invalid value '0' at bulwark.protections.stock.retry.max-attempts (")
                    .endsWith("): maxAttempts must be >= 1, was 0"));
            assertThat(e.errors()).extracting(InfraError::message).anySatisfy(m -> assertThat(m)
                    .startsWith("invalid value '5' at bulwark.rate-limits.api.window (").contains("a duration needs a unit"));
        });
    }

    @Test
    void anUnknownProtectionKeyFailsTheStartWithTheNearestKey() {
        runner.withUserConfiguration(UnknownKeyConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(root(context.getStartupFailure()).getMessage()).isEqualTo("@Protected(\"stok\") on"
                    + " dev.bulwark.spring.StartupChecksTest$UnknownKey.stock(String): no protection is configured under"
                    + " 'stok': did you mean 'stock'?");
        });
    }

    @Test
    void theAnnotationPathWithoutAWebServerAndTheInfrastructureClosedWithTheContext() {
        Infrastructure[] seen = new Infrastructure[1];
        runner.withUserConfiguration(ClientConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            Client client = context.getBean(Client.class);
            Infrastructure infra = context.getBean(Infrastructure.class);
            seen[0] = infra;
            assertThat(infra.clock()).isSameAs(ClientConfig.CLOCK);                 // the customizer ran
            assertThat(client.stock("a")).isEqualTo(7);
            assertThat(client.async("a").toCompletableFuture().get()).isEqualTo(8);

            Client.down = true;
            Client.calls.set(0);
            assertThat(client.stock("a")).isEqualTo(-1);                            // fallback got the IOException
            assertThat(Client.calls).hasValue(2);                                   // two attempts, breaker opens
            assertThat(client.stock("a")).isEqualTo(-2);                            // an InfraException (5004) now
            InfraException rejected = org.assertj.core.api.Assertions.catchThrowableOfType(InfraException.class,
                    () -> client.plain("a"));
            assertThat(rejected.code()).isEqualTo(5004);
            ExecutionException async = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                    () -> client.async("a").toCompletableFuture().get());
            assertThat(async.getCause()).isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(5004));

            infra.circuitBreakers().reset("stock");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> client.plain("a")))
                    .isInstanceOf(IOException.class).hasMessage("down");            // the method's own exception
            assertThat(context.getBean(BulwarkConfig.class).current().protections()).containsOnlyKeys("stock");
        });
        assertThat(seen[0].isRunning()).isFalse();
    }

    @Test
    void turnedOffWithBulwarkEnabledFalse() {
        runner.withPropertyValues("bulwark.enabled=false").run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(Infrastructure.class));
    }

    @Test
    void everyPropertySourceOfTheEnvironmentCountsSystemPropertiesToo() {
        runner.withSystemProperties("bulwark.protections.stock.total-timeout=2s").run(context -> {
            assertThat(context).hasNotFailed();
            var stock = context.getBean(Infrastructure.class).protectionConfig("stock").getOrThrow();
            assertThat(stock.totalTimeout().timeout()).isEqualTo(java.time.Duration.ofSeconds(2));
            assertThat(stock.retry().maxAttempts()).isEqualTo(2);
        });
    }

    @Test
    void healthCriticalBreakersFromThePropertiesMakeReadinessDownAndLivenessStaysUp() {
        runner.withUserConfiguration(ClientConfig.class).withPropertyValues("bulwark.health.critical-breakers=stock",
                "bulwark.health.check-ttl=5s").run(context -> {
            assertThat(context).hasNotFailed();
            Infrastructure infra = context.getBean(Infrastructure.class);
            assertThat(infra.health().criticalBreakers()).containsExactly("stock");
            assertThat(infra.health().checkDefaults().ttl()).isEqualTo(java.time.Duration.ofSeconds(5));
            BulwarkHealthIndicator readiness = context.getBean("bulwarkHealthIndicator", BulwarkHealthIndicator.class);
            BulwarkHealthIndicator liveness = context.getBean("bulwarkLivenessHealthIndicator", BulwarkHealthIndicator.class);
            assertThat(readiness.health().getStatus()).isEqualTo(org.springframework.boot.health.contributor.Status.UP);
            infra.circuitBreakers().disable("stock");
            assertThat(readiness.health().getStatus()).isEqualTo(org.springframework.boot.health.contributor.Status.DOWN);
            assertThat(readiness.health().getDetails().get("circuitBreakers")).isEqualTo(java.util.Map.of("stock", "DISABLED (critical)"));
            // liveness's checks run off the probing thread: its first answer may be UNKNOWN until they have run once
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(liveness.health().getStatus()).isEqualTo(org.springframework.boot.health.contributor.Status.UP));
            infra.circuitBreakers().enable("stock");
        });
    }

    @Test
    void aMemoryThresholdTheBuilderRefusesFailsTheStartNamingTheProperty() {
        runner.withPropertyValues("bulwark.memory.elevated-at=0.95", "bulwark.protections.stock.shed=yes").run(context -> {
            ConfigException e = (ConfigException) root(context.getStartupFailure());
            assertThat(e.errors()).extracting(InfraError::message).anySatisfy(m -> assertThat(m)
                    .startsWith("invalid value '0.95' at bulwark.memory.elevated-at (")
                    .endsWith("): elevatedAt (0.95) must be below criticalAt (0.9)"));
            assertThat(e.errors()).extracting(InfraError::message).anySatisfy(m -> assertThat(m)
                    .startsWith("invalid value 'yes' at bulwark.protections.stock.shed (").endsWith("): expected true or false"));
        });
    }
}
