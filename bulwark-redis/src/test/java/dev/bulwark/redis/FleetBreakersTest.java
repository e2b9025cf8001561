package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.circuit.State;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.Clock;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fleet breakers in one JVM: several infrastructures, each an instance of one fleet, on the shared
 * Redis under a key prefix of the test's own (the 3-JVM tests are in {@code dev.bulwark.redis.fleet}).
 */
@RequiresRedis
class FleetBreakersTest {

    private static final CircuitBreakerConfig TRIPS_AT_ONCE = CircuitBreakerConfig.builder().consecutiveFailures(1)
            .halfOpen(Duration.ofSeconds(30), 1, 1).build();

    private final TestRedis redis = new TestRedis();
    private final String fleet = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Infrastructure> instances = new ArrayList<>();

    @AfterEach
    void tearDown() {
        instances.forEach(Infrastructure::close);
        redis.close();
    }

    private FleetBreakers.Builder fleetBreakers(String id) {
        return FleetBreakers.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix()).fleet(fleet).instanceId(id)
                .quorum(FleetQuorum.instances(1).within(Duration.ofSeconds(30))).syncInterval(Duration.ofMillis(200));
    }

    private Infrastructure instance(FleetBreakers.Builder builder, Telemetry telemetry) {
        Infrastructure infra = Infrastructure.builder().telemetry(telemetry).install(builder.asModule()).build();
        instances.add(infra);
        return infra;
    }

    private Infrastructure instance(String id) {
        return instance(fleetBreakers(id), Telemetry.create());
    }

    private static FleetBreakers fleetOf(Infrastructure infra) {
        return infra.component(FleetBreakers.class).orElseThrow();
    }

    private static void trip(CircuitBreaker breaker) {
        breaker.execute(() -> {
            throw new IllegalStateException("the dependency failed");
        });
    }

    private static void awaitLive(Infrastructure infra, String breaker, long live) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            FleetBreakers.BreakerStatus s = fleetOf(infra).status().breakers().get(breaker);
            return s != null && s.liveInstances() >= live;
        });
    }

    @Test
    void oneInstanceOpeningForcesTheOthersOpenAndItsStatusSaysWhy() {
        Infrastructure a = instance("a");
        Infrastructure b = instance("b");
        CircuitBreaker onA = a.circuitBreakers().install("payments", TRIPS_AT_ONCE);
        CircuitBreaker onB = b.circuitBreakers().install("payments", TRIPS_AT_ONCE);
        awaitLive(a, "payments", 2);
        awaitLive(b, "payments", 2);

        trip(onA);
        assertThat(onA.state()).isEqualTo(State.OPEN);
        await().atMost(Duration.ofSeconds(10)).until(() -> onB.state() == State.DISABLED);

        FleetBreakers.BreakerStatus seenByB = fleetOf(b).status().breakers().get("payments");
        assertThat(seenByB.coordination()).isEqualTo(FleetBreakers.Coordination.HELD_BY_QUORUM);
        assertThat(seenByB.openInstances()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleetOf(a).status().breakers().get("payments").trialLease());
        assertThat(fleetOf(a).status().breakers().get("payments").coordination())
                .isEqualTo(FleetBreakers.Coordination.FOLLOWING);
        // the status is part of infra.status()
        FleetBreakers.Status status = b.status().component(FleetBreakers.COMPONENT_NAME, FleetBreakers.Status.class)
                .orElseThrow();
        assertThat(status.fleet()).isEqualTo(fleet);
        assertThat(status.instanceId()).isEqualTo("b");
        assertThat(status.redisReachable()).isTrue();
        assertThat(status.forcedOpen()).isEqualTo(1);
    }

    @Test
    void aBreakerDisabledByHandIsLeftAloneAndOneEnabledByHandIsLetGo() {
        Infrastructure a = instance("a");
        Infrastructure b = instance("b");
        CircuitBreaker onA = a.circuitBreakers().install("search", TRIPS_AT_ONCE);
        CircuitBreaker onB = b.circuitBreakers().install("search", TRIPS_AT_ONCE);
        CircuitBreaker manualOnB = b.circuitBreakers().install("manual", TRIPS_AT_ONCE);
        CircuitBreaker manualOnA = a.circuitBreakers().install("manual", TRIPS_AT_ONCE);
        awaitLive(b, "search", 2);
        awaitLive(b, "manual", 2);

        manualOnB.disable();
        trip(manualOnA);
        trip(onA);
        await().atMost(Duration.ofSeconds(10)).until(() -> onB.state() == State.DISABLED);
        onB.enable();   // by hand: the fleet lets go of it, and does not force it again while A stays open
        long calls = fleetOf(b).status().redisCalls();
        await().atMost(Duration.ofSeconds(10)).until(() -> fleetOf(b).status().redisCalls() >= calls + 5);
        assertThat(fleetOf(b).status().breakers().get("search").coordination()).isEqualTo(FleetBreakers.Coordination.FOLLOWING);
        assertThat(onB.state()).isEqualTo(State.CLOSED);
        assertThat(onA.state()).isEqualTo(State.OPEN);

        // the fleet never held "manual" (it was disabled by hand): closing the fleet must not enable it
        assertThat(fleetOf(b).status().breakers().get("manual").coordination()).isEqualTo(FleetBreakers.Coordination.FOLLOWING);
        b.close();
        assertThat(manualOnB.state()).isEqualTo(State.DISABLED);
    }

    @Test
    void onlyTheSelectedBreakersAreCoordinatedAndTheFleetFollowsTheRegistry() {
        Infrastructure a = instance(fleetBreakers("a").breakers(name -> name.startsWith("db-")), Telemetry.create());
        a.circuitBreakers().install("db-orders", TRIPS_AT_ONCE);
        a.circuitBreakers().install("cache", TRIPS_AT_ONCE);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleetOf(a).status().breakers().containsKey("db-orders"));
        assertThat(fleetOf(a).status().breakers()).containsOnlyKeys("db-orders");

        a.circuitBreakers().remove("db-orders");
        assertThat(fleetOf(a).status().breakers()).isEmpty();
    }

    @Test
    void withoutRedisEveryBreakerActsAloneAndSaysSo() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        Telemetry telemetry = Telemetry.create();
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            Infrastructure a = instance(fleetBreakers("a").uri("redis://127.0.0.1:" + closedPort), telemetry);
            CircuitBreaker breaker = a.circuitBreakers().install("payments", TRIPS_AT_ONCE);
            await().atMost(Duration.ofSeconds(10)).until(() -> !fleetOf(a).status().redisReachable());
            assertThat(fleetOf(a).status().breakers().get("payments").coordination())
                    .isEqualTo(FleetBreakers.Coordination.LOCAL_ONLY);
            assertThat(events.count(FleetBreakers.LOCAL_ONLY)).isEqualTo(1);

            trip(breaker);   // trips on its own calls, as without the fleet
            assertThat(breaker.state()).isEqualTo(State.OPEN);
            assertThat(fleetOf(a).status().redisFailures()).isPositive();
            assertThat(events.undeclared()).as("events emitted but not declared").isEmpty();
        }
    }

    @Test
    void builderRefusesBadValuesNamingThem() {
        assertThatThrownBy(() -> FleetBreakers.builder().fleet("a{b}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fleet must be 1 to 64 characters without braces or control characters, was 'a{b}'");
        assertThatThrownBy(() -> FleetBreakers.builder().fleet("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FleetBreakers.builder().instanceId(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was null");
        assertThatThrownBy(() -> FleetBreakers.builder().syncInterval(Duration.ofMillis(5)))
                .hasMessage("syncInterval must be at least 10 ms, was PT0.005S");
        assertThatThrownBy(() -> FleetBreakers.builder().uri("not a uri")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri is not a Redis URI: 'not a uri'");
        assertThatThrownBy(() -> FleetBreakers.builder().cluster()).hasMessage("cluster needs at least one seed URI, was none");
        assertThatThrownBy(() -> FleetBreakers.builder().keyPrefix("x{")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FleetBreakers.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs circuitBreakers(...) and telemetry(...)");
    }

    @Test
    void builtByHandItFollowsTheGivenRegistry() {
        Telemetry telemetry = Telemetry.create();
        CircuitBreakers registry = CircuitBreakers.create(Clock.system(), telemetry);
        try (FleetBreakers fb = fleetBreakers("solo").circuitBreakers(registry).telemetry(telemetry).build()) {
            registry.install("inventory", TRIPS_AT_ONCE);
            await().atMost(Duration.ofSeconds(10)).until(() -> fb.status().breakers().containsKey("inventory")
                    && fb.status().breakers().get("inventory").liveInstances() == 1);
            assertThat(fb.instanceId()).isEqualTo("solo");
        }
    }
}
