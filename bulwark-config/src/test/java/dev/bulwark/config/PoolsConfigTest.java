package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.error.InfraError;
import dev.bulwark.pool.KeyedResourceFactory;
import dev.bulwark.pool.Pool;
import dev.bulwark.pool.PoolConfig;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.pool.PooledCall;
import dev.bulwark.pool.Pools;
import dev.bulwark.pool.ResourceFactory;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code pools} section: a file sizes and checks the pools, code gives their factories, a
 * protection's {@code pool} stage runs each attempt with a resource; mistakes are reported with
 * their paths, and a reload cannot change a pool.
 */
class PoolsConfigTest {

    private static final String FILE = """
            pools:
              clients:
                maxSize: 2
                maxWaiters: 0
                checkoutTimeout: 50ms
                poisonedBy: [java.io.IOException]
                circuitBreaker: { consecutiveFailures: 2, halfOpen: { after: 3s } }
            protections:
              inventory:
                bulkhead: 4
                pool: clients
            """;

    /** A client that remembers which one it is. */
    record Client(int id) {
    }

    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger destroyed = new AtomicInteger();
    private final ResourceFactory<Client> clients = new ResourceFactory<>() {
        @Override
        public Client create() {
            return new Client(created.incrementAndGet());
        }

        @Override
        public void destroy(Client resource) {
            destroyed.incrementAndGet();
        }
    };

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private Infrastructure infra;

    @AfterEach
    void close() {
        if (infra != null) {
            infra.close();
        }
    }

    private static BulwarkConfig config(String yaml) {
        return BulwarkConfig.fromText(yaml, ConfigFormat.YAML).withoutOverrides().build();
    }

    private BulwarkConfig withClients(BulwarkConfig config) {
        config.poolFactories().pool("clients", clients);
        return config;
    }

    private Infrastructure start(BulwarkConfig config) {
        infra = config.applyTo(Infrastructure.builder().clock(clock)).build();
        return infra;
    }

    @Test
    void theFileSizesThePoolAndTheProtectionRunsEachCallWithOneOfItsResources() {
        start(withClients(config(FILE)));

        Pool<Client> pool = infra.component(Pools.class).orElseThrow().pool("clients");
        assertThat(pool.config()).isEqualTo(PoolConfig.builder().maxSize(2).maxWaiters(0)
                .checkoutTimeout(Duration.ofMillis(50)).poisonedBy(IOException.class)
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(2).halfOpen(Duration.ofSeconds(3), 1, 1).build())
                .build());
        assertThat(infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id())).isEqualTo(Result.ok(1));
        assertThat(infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id())).isEqualTo(Result.ok(1));
        assertThat(created).hasValue(1);                                     // given back and handed out again

        Result<Integer> poisoned = infra.executeProtected("inventory", () -> {
            PooledCall.resource(Client.class);
            throw new IOException("connection reset");
        });
        assertThat(poisoned.isErr()).isTrue();
        assertThat(destroyed).hasValue(1);                                   // poisonedBy, as the file says
        assertThat(infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id())).isEqualTo(Result.ok(2));
        assertThat(infra.status().components().get("pool_clients")).isInstanceOfSatisfying(PoolStatus.class,
                s -> assertThat(s.maxSize()).isEqualTo(2));
    }

    @Test
    void aFullPoolRefusesTheProtectedCallWith7101AtOnceWhenNobodyMayWait() throws Exception {
        start(withClients(config(FILE)));
        Pool<Client> pool = infra.component(Pools.class).orElseThrow().pool("clients");
        var first = pool.checkout(Duration.ZERO).getOrThrow();
        var second = pool.checkout(Duration.ZERO).getOrThrow();

        Result<Integer> refused = infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id());

        assertThat(refused.errValue()).map(InfraError::code).contains(7101);
        first.close();
        second.close();
        assertThat(infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id()).isOk()).isTrue();
    }

    @Test
    void aKeyedFactoryMakesAKeyedPoolSizedPerKey() {
        KeyedResourceFactory<String, Client> shards = shard -> new Client(created.incrementAndGet());
        BulwarkConfig config = config("""
                pools:
                  shards: { maxSize: 1 }
                """);
        config.poolFactories().keyedPool("shards", shards);
        start(config);

        var pool = infra.component(Pools.class).orElseThrow().<String, Client>keyedPool("shards");
        assertThat(pool.config().maxSize()).isEqualTo(1);
        assertThat(pool.withResource("eu", Client::id)).isEqualTo(Result.ok(1));
        assertThat(pool.withResource("us", Client::id)).isEqualTo(Result.ok(2));
    }

    @Test
    void aPoolWithoutAFactoryFailsTheBuildNamingThePoolAndHowToGiveOne() {
        BulwarkConfig config = config(FILE);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> start(config));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.code()).isEqualTo(1201);
            assertThat(error.context()).containsEntry("path", "pools.clients");
            assertThat(error.message()).contains("pool 'clients' has no resource factory")
                    .contains("config.poolFactories().pool(\"clients\", factory)");
        });
    }

    @Test
    void aFactoryForAPoolTheFileDoesNotHaveIsRefusedWithTheNearestName() {
        BulwarkConfig config = config(FILE);

        assertThatThrownBy(() -> config.poolFactories().pool("client", clients))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no pool named 'client': did you mean 'clients'?");
        config.poolFactories().pool("clients", clients);
        assertThatThrownBy(() -> config.poolFactories().pool("clients", clients))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'clients' has a factory already");
        start(config);
        assertThatThrownBy(() -> config.poolFactories().pool("clients", clients))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("installed already");
    }

    @Test
    void theStageCannotNameAKeyedPool() {
        BulwarkConfig config = config(FILE);
        config.poolFactories().keyedPool("clients", shard -> new Client(0));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> start(config));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.context()).containsEntry("path", "protections.inventory.pool");
            assertThat(error.message()).contains("pool 'clients' is keyed");
        });
    }

    @Test
    void everyMistakeOfThePoolsSectionIsReportedAtOnceAtItsSetting() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> config("""
                pools:
                  clients:
                    maxSize: 0
                    checkoutTimeout: -1s
                    poisonedBy: [java.lang.String]
                  others: { maxWaiter: 3 }
                  Bad-Name: {}
                protections:
                  inventory:
                    pool: clents
                """));

        assertThat(e.errors()).extracting(error -> error.context().get("path")).containsExactlyInAnyOrder(
                "pools.clients.maxSize", "pools.clients.checkoutTimeout", "pools.clients.poisonedBy[0]",
                "pools.others", "pools.Bad-Name", "protections.inventory.pool");
        assertThat(e.errors()).filteredOn(error -> "pools.others".equals(error.context().get("path")))
                .singleElement().satisfies(error -> assertThat(error.message()).contains("did you mean 'maxWaiters'?"));
        assertThat(e.errors()).filteredOn(error -> "pools.clients.maxSize".equals(error.context().get("path")))
                .singleElement().satisfies(error -> {
                    assertThat(error.context()).containsEntry("line", 3);
                    assertThat(error.message()).contains("maxSize must be between 1 and 1000000, was 0");
                });
        assertThat(e.errors()).filteredOn(error -> "pools.Bad-Name".equals(error.context().get("path")))
                .singleElement().satisfies(error -> assertThat(error.message()).contains("lower_snake_case"));
        assertThat(e.errors()).filteredOn(error -> "protections.inventory.pool".equals(error.context().get("path")))
                .singleElement().satisfies(error -> assertThat(error.message()).contains("did you mean 'clients'?"));
    }

    @Test
    void aReloadThatChangesAPoolIsRejectedAndOneThatChangesOnlyProtectionsKeepsThePool() throws IOException {
        Path file = dir.resolve("bulwark.yaml");
        Files.writeString(file, FILE);
        BulwarkConfig config = withClients(BulwarkConfig.fromFile(file).withoutOverrides().build());
        start(config);
        Pool<Client> pool = infra.component(Pools.class).orElseThrow().pool("clients");
        infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id());

        Files.writeString(file, FILE.replace("maxSize: 2", "maxSize: 3"));
        Result<ConfigSnapshot> resized = config.reload();

        assertThat(resized.errValue()).hasValueSatisfying(error -> assertThat(error.cause().getMessage())
                .contains("pools.clients.maxSize").contains("restart to change it"));
        assertThat(pool.config().maxSize()).isEqualTo(2);

        Files.writeString(file, FILE.replace("bulkhead: 4", "bulkhead: 5"));
        assertThat(config.reload().isOk()).isTrue();
        assertThat(infra.component(Pools.class).orElseThrow().<Client>pool("clients")).isSameAs(pool);
        assertThat(infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id())).isEqualTo(Result.ok(1));
        assertThat(created).hasValue(1);
    }

    @Test
    void aReloadThatPutsAProtectionOnAKeyedPoolIsRejectedAtItsSetting() throws IOException {
        String file = FILE.replace("protections:\n", "  shards: { maxSize: 1 }\nprotections:\n");
        Path path = dir.resolve("bulwark.yaml");
        Files.writeString(path, file);
        BulwarkConfig config = withClients(BulwarkConfig.fromFile(path).withoutOverrides().build());
        config.poolFactories().keyedPool("shards", shard -> new Client(0));
        start(config);

        Files.writeString(path, file.replace("pool: clients", "pool: shards"));
        Result<ConfigSnapshot> moved = config.reload();

        assertThat(moved.errValue()).hasValueSatisfying(error -> assertThat(error.cause().getMessage())
                .contains("protections.inventory.pool").contains("pool 'shards' is keyed"));
        assertThat(infra.executeProtected("inventory", () -> PooledCall.resource(Client.class).id()).isOk()).isTrue();
    }

    @Test
    void theSettingsOfThePoolsSectionReachTheirRecords() {
        var settings = ConfigSnapshot.parse(FILE, ConfigFormat.YAML, "bulwark.yaml").settings();
        assertThat(settings.pools()).containsOnlyKeys("clients");
        assertThat(settings.pools().get("clients").poisonedBy()).isEqualTo(List.of("java.io.IOException"));
        assertThat(settings.protections().get("inventory").pool()).isEqualTo("clients");
    }
}
