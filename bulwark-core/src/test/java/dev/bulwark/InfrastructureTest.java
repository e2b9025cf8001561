package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.error.InfraException;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import dev.bulwark.time.TickingClock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InfrastructureTest {

    @Test
    void emitsInitializedAndStoppedEvents() {
        try (Telemetry telemetry = Telemetry.create(); TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            Infrastructure infra = Infrastructure.builder().telemetry(telemetry).build();
            assertThat(events.count(Events.INFRASTRUCTURE_INITIALIZED)).isEqualTo(1);
            assertThat(events.named(Events.INFRASTRUCTURE_INITIALIZED).get(0).metadata()).containsKey("components");

            infra.close();
            infra.close();
            assertThat(events.count(Events.INFRASTRUCTURE_STOPPED)).isEqualTo(1);
        }
    }

    @Test
    void statusReportsRunningUptimeAndCounters() {
        ManualClock clock = new ManualClock();
        Infrastructure infra = Infrastructure.builder().clock(clock).build();
        clock.advance(Duration.ofSeconds(30));

        InfrastructureStatus status = infra.status();
        assertThat(status.running()).isTrue();
        assertThat(status.startedAt()).isEqualTo(ManualClock.DEFAULT_START);
        assertThat(status.uptime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(status.droppedEvents()).isZero();
        assertThat(status.handlerFailures()).isZero();

        infra.close();
        assertThat(infra.status().running()).isFalse();
        assertThat(infra.isRunning()).isFalse();
    }

    @Test
    void usesTheConfiguredPrefixAndClock() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).telemetryPrefix("elixir_scope.foundation.infra").build()) {
            assertThat(infra.clock()).isSameAs(clock);
            assertThat(infra.telemetry().prefix().toString()).isEqualTo("elixir_scope.foundation.infra");
        }
    }

    @Test
    void buildingAndClosingManyTimesLeavesNoThread() {
        Set<Thread> before = bulwarkThreads();
        for (int i = 0; i < 50; i++) {
            Infrastructure infra = Infrastructure.builder().asyncTelemetry(16).build();
            infra.scheduler().scheduleAtFixedRate("noop", Duration.ofMillis(1), () -> { });
            infra.close();
        }
        assertThat(bulwarkThreads()).isEqualTo(before);
    }

    @Test
    void aTickingClockIsStartedOwnedAndClosedByTheInfrastructure() {
        Set<Thread> before = bulwarkThreads();
        Infrastructure infra = Infrastructure.builder().tickingClock(Duration.ofMillis(2)).build();
        assertThat(infra.clock()).isInstanceOf(TickingClock.class);
        TickingClock clock = (TickingClock) infra.clock();
        assertThat(clock.resolution()).isEqualTo(Duration.ofMillis(2));
        assertThat(infra.rateLimiter().tryAcquire("user", "op", RateLimit.of("r", 1, Duration.ofMinutes(1)))).isTrue();
        assertThat(infra.rateLimiter().tryAcquire("user", "op", RateLimit.of("r", 1, Duration.ofMinutes(1)))).isFalse();

        infra.close();
        assertThat(clock.isClosed()).isTrue();
        assertThat(bulwarkThreads()).isEqualTo(before);
    }

    @Test
    void theLastClockSettingWins() {
        ManualClock manual = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).clock(manual).build()) {
            assertThat(infra.clock()).isSameAs(manual);
        }
        try (Infrastructure infra = Infrastructure.builder().clock(manual).tickingClock(Duration.ofMillis(1)).build()) {
            assertThat(infra.clock()).isInstanceOf(TickingClock.class);
        }
    }

    @Test
    void rejectsATickingClockResolutionOutOfRange() {
        assertThatThrownBy(() -> Infrastructure.builder().tickingClock(Duration.ofMillis(5000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tickingClock resolution must be between 100 µs and 1 s, was PT5S");
        assertThatThrownBy(() -> Infrastructure.builder().tickingClock(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }

    private static Set<Thread> bulwarkThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("bulwark-") && t.isAlive())
                .collect(Collectors.toSet());
    }

    @Test
    void aModuleActsThroughTheFacadeOnceBuiltBeforeInitialized() {
        Telemetry telemetry = Telemetry.create();
        TelemetryCapture capture = TelemetryCapture.all(telemetry);
        java.util.List<String> seen = new java.util.ArrayList<>();
        dev.bulwark.spi.BulwarkModule configuring = new dev.bulwark.spi.BulwarkModule() {
            @Override
            public String name() {
                return "configuring";
            }

            @Override
            public void install(dev.bulwark.spi.ModuleContext context) {
                context.onBuilt(infra -> {
                    seen.add("built, initialized emitted: " + capture.count(Events.INFRASTRUCTURE_INITIALIZED));
                    infra.configureProtection("inventory", Protection.circuitBreaker("inventory")).getOrThrow();
                });
            }
        };
        try (Infrastructure infra = Infrastructure.builder().telemetry(telemetry).install(configuring).build()) {
            assertThat(seen).containsExactly("built, initialized emitted: 0");
            assertThat(capture.count(Events.INFRASTRUCTURE_INITIALIZED)).isEqualTo(1);
            assertThat(infra.protectionKeys()).containsExactly("inventory");
        }
        telemetry.close();
    }

    @Test
    void aFailingWhenBuiltActionFailsTheBuildAndClosesWhatWasBuilt() {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        dev.bulwark.spi.BulwarkModule failing = new dev.bulwark.spi.BulwarkModule() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public void install(dev.bulwark.spi.ModuleContext context) {
                context.register("failing_component", new Object(), null, () -> closed.set(true));
                context.onBuilt(infra -> {
                    throw new IllegalStateException("cannot apply");
                });
            }
        };
        assertThatThrownBy(() -> Infrastructure.builder().install(failing).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot apply");
        assertThat(closed).isTrue();
    }

    /** Every {@code callProtected} form answers the value, or throws the error {@code executeProtected} would return. */
    @Test
    void callProtectedReturnsTheValueOrThrowsTheCodedError() {
        try (Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build()) {
            Protection perCaller = Protection.builder()
                    .rateLimitPerCaller("search", RateLimit.of("search", 1, Duration.ofSeconds(10))).build();
            infra.configureProtection("search", perCaller).getOrThrow();

            assertThat(infra.callProtected("search", "ann", () -> "by key")).isEqualTo("by key");
            assertThat(infra.callProtected("search", "bea", Criticality.CRITICAL, () -> "by key, critical")).isEqualTo("by key, critical");
            assertThat(infra.callProtected(perCaller, "cid", () -> "by protection")).isEqualTo("by protection");
            assertThat(infra.callProtected(perCaller, "dan", Criticality.SHEDDABLE, () -> "sheddable")).isEqualTo("sheddable");

            assertThatThrownBy(() -> infra.callProtected("search", "ann", () -> "over the limit"))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(6001));
            assertThatThrownBy(() -> infra.callProtected("search", "bea", Criticality.CRITICAL, () -> "over the limit"))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(6001));
            assertThatThrownBy(() -> infra.callProtected(perCaller, "cid", () -> "over the limit"))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(6001));
            assertThatThrownBy(() -> infra.callProtected(perCaller, "dan", Criticality.SHEDDABLE, () -> "over the limit"))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(6001));
        }
    }
}
