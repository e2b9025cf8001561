package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static dev.bulwark.circuit.BreakerFixture.succeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.Events;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry: install, re-install, lookups, operations by name and their codes. */
class CircuitBreakersRegistryTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Nested
    class Install {

        @Test
        void installReturnsANamedClosedBreakerAndEmitsFuseInstalled() {
            CircuitBreaker b = fx.breakers.install("payments");
            assertThat(b.name()).isEqualTo("payments");
            assertThat(b.state()).isEqualTo(State.CLOSED);
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_FUSE_INSTALLED)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("name", "payments")
                            .containsEntry("config", CircuitBreakerConfig.defaults()));
        }

        @Test
        void reinstallKeepsTheInstanceResetsStateAndCountsAndReplacesTheConfig() {
            CircuitBreaker b = fx.breakers.install("payments");
            fail(b, 6);
            CircuitBreakerConfig stricter = config().consecutiveFailures(1).build();

            CircuitBreaker again = fx.breakers.install("payments", stricter);

            assertThat(again).isSameAs(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            assertThat(b.config()).isSameAs(stricter);
            assertThat(b.stats().meltCount()).isZero();
            assertThat(b.stats().rejectedCount()).isZero();
            fail(b);
            assertThat(b.state()).as("the new config applies").isEqualTo(State.OPEN);
            assertThat(fx.events.count(Events.CIRCUIT_BREAKER_FUSE_INSTALLED)).isEqualTo(2);
        }

        @Test
        void reinstallKeepsAManualDisable() {
            CircuitBreaker b = fx.breakers.install("payments");
            fx.breakers.disable("payments");
            fx.breakers.install("payments", config().consecutiveFailures(1).build());
            assertThat(b.state()).isEqualTo(State.DISABLED);
            assertThat(b.config().consecutiveFailures()).isEqualTo(1);
            fx.breakers.enable("payments");
            fail(b);
            assertThat(b.state()).as("enabled with the new config").isEqualTo(State.OPEN);
        }

        @ParameterizedTest
        @NullSource
        @ValueSource(strings = {"", "   ", "tab\there"})
        void invalidNamesAreRejectedWith5001(String name) {
            assertThatThrownBy(() -> fx.breakers.install(name))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(5001));
            assertThat(fx.breakers.list()).isEmpty();
        }

        @Test
        void aTooLongNameIsRejectedWithItsLength() {
            String name = "x".repeat(256);
            assertThatThrownBy(() -> fx.breakers.install(name))
                    .isInstanceOfSatisfying(InfraException.class, e -> {
                        assertThat(e.code()).isEqualTo(5001);
                        assertThat(e.getMessage()).contains("256");
                    });
            assertThat(fx.breakers.install("x".repeat(255)).name()).hasSize(255);
        }

        @Test
        void aNullConfigIsRejectedWith5001() {
            assertThatThrownBy(() -> fx.breakers.install("b", null))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(5001));
        }
    }

    @Nested
    class Lookups {

        @Test
        void getListAndRemove() {
            CircuitBreaker b = fx.breakers.install("b");
            fx.breakers.install("a");
            assertThat(fx.breakers.get("b")).containsSame(b);
            assertThat(fx.breakers.get("zzz")).isEmpty();
            assertThat(fx.breakers.get(null)).isEmpty();
            assertThat(fx.breakers.list()).containsExactly("a", "b");

            assertThat(fx.breakers.remove("b")).isTrue();
            assertThat(fx.breakers.remove("b")).isFalse();
            assertThat(fx.breakers.remove(null)).isFalse();
            assertThat(fx.breakers.list()).containsExactly("a");
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_FUSE_REMOVED)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("name", "b"));
        }

        @Test
        void aRemovedBreakerKeepsWorkingForItsHolderAndTheNameCanBeInstalledAnew() {
            CircuitBreaker old = fx.breakers.install("b");
            fail(old, 6);
            fx.breakers.remove("b");
            assertThat(old.state()).isEqualTo(State.OPEN);
            assertThat(fx.breakers.execute("b", () -> "x").errValue().orElseThrow().code()).isEqualTo(5005);
            CircuitBreaker fresh = fx.breakers.install("b");
            assertThat(fresh).isNotSameAs(old);
            assertThat(fresh.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void snapshotHasTheStatsOfEveryBreakerSortedByName() {
            fail(fx.breakers.install("z"), 6);
            fx.breakers.install("a");
            Map<String, Stats> snapshot = fx.breakers.snapshot().breakers();
            assertThat(snapshot.keySet()).containsExactly("a", "z");
            assertThat(snapshot.get("z").state()).isEqualTo(State.OPEN);
            assertThat(fx.infra.status().component("circuit_breakers", CircuitBreakers.Status.class))
                    .contains(fx.breakers.snapshot());
        }
    }

    @Nested
    class OperationsByName {

        @Test
        void executeAndCallRunThroughTheNamedBreaker() {
            fx.breakers.install("b");
            assertThat(fx.breakers.execute("b", () -> "x")).isEqualTo(Result.ok("x"));
            assertThat(fx.breakers.call("b", () -> "y")).isEqualTo("y");
            assertThat(fx.breakers.status("b").okValue().orElseThrow().okCount()).isEqualTo(2);
        }

        @Test
        void executeOnAnUnknownNameIs5005AndEmitsANotFoundRejection() {
            InfraError error = fx.breakers.execute("ghost", () -> "x").errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5005);
            assertThat(error.message()).contains("ghost");
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_CALL_REJECTED)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("name", "ghost").containsEntry("reason", "not_found"));
        }

        @ParameterizedTest
        @NullSource
        @ValueSource(strings = {"", " "})
        void badNamesAre5009OnExecuteAnd5011Elsewhere(String name) {
            assertThat(fx.breakers.execute(name, () -> "x").errValue().orElseThrow().code()).isEqualTo(5009);
            assertThatThrownBy(() -> fx.breakers.call(name, () -> "x"))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(5009));
            assertThat(fx.breakers.status(name).errValue().orElseThrow().code()).isEqualTo(5011);
            assertThat(fx.breakers.reset(name).errValue().orElseThrow().code()).isEqualTo(5011);
            assertThat(fx.breakers.disable(name).errValue().orElseThrow().code()).isEqualTo(5011);
            assertThat(fx.breakers.enable(name).errValue().orElseThrow().code()).isEqualTo(5011);
        }

        @Test
        void aNullOperationByNameIs5009() {
            fx.breakers.install("b");
            InfraError error = fx.breakers.execute("b", null).errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5009);
            assertThat(error.message()).contains("operation");
        }

        @Test
        void unknownNamesOnStatusResetDisableEnable() {
            assertThat(fx.breakers.status("ghost").errValue().orElseThrow().code()).isEqualTo(5007);
            assertThat(fx.breakers.reset("ghost").errValue().orElseThrow().code()).isEqualTo(5013);
            assertThat(fx.breakers.disable("ghost").errValue().orElseThrow().code()).isEqualTo(5013);
            assertThat(fx.breakers.enable("ghost").errValue().orElseThrow().code()).isEqualTo(5013);
        }

        @Test
        void disableForcesOpenUntilEnable() {
            CircuitBreaker b = fx.breakers.install("b");
            assertThat(fx.breakers.disable("b")).isEqualTo(Result.ok(State.DISABLED));
            InfraError rejected = succeed(b).errValue().orElseThrow();
            assertThat(rejected.code()).isEqualTo(5004);
            assertThat(rejected.context()).containsEntry("reason", "disabled");
            assertThat(rejected.retryAfter()).as("no known end").isNull();
            fx.advance(Duration.ofDays(3));
            assertThat(b.state()).isEqualTo(State.DISABLED);
            assertThat(fx.breakers.reset("b")).as("reset keeps a disable").isEqualTo(Result.ok(State.DISABLED));
            assertThat(fx.breakers.enable("b")).isEqualTo(Result.ok(State.CLOSED));
            assertThat(succeed(b)).isEqualTo(Result.ok("ok"));
        }

        @Test
        void enablingABreakerThatIsNotDisabledChangesNothing() {
            CircuitBreaker b = fx.breakers.install("b");
            fail(b, 6);
            assertThat(fx.breakers.enable("b")).isEqualTo(Result.ok(State.OPEN));
        }

        @Test
        void disablingAnOpenBreakerKeepsItShutUntilEnabled() {
            CircuitBreaker b = fx.breakers.install("b");
            fail(b, 6);
            b.disable();
            fx.advanceSeconds(120);
            assertThat(b.state()).as("the reset time passed but it stays disabled").isEqualTo(State.DISABLED);
        }

        @Test
        void callerMetadataReachesTheCallExecutedEvent() {
            fx.breakers.install("b");
            fx.breakers.execute("b", () -> "x", Map.of("request_id", "r-1", "name", "cannot override"));
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_CALL_EXECUTED)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("request_id", "r-1").containsEntry("name", "b"));
        }
    }
}
