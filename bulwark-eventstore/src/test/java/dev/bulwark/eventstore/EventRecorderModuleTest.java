package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder installed as a module: a breaker's life read back from the file store, and the CLI over it. */
class EventRecorderModuleTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    private void breakerStory(Infrastructure infra) {
        CircuitBreaker payments = infra.circuitBreakers().install("payments",
                CircuitBreakerConfig.builder().failureCount(2, Duration.ofSeconds(10)).reset(Duration.ofSeconds(5)).build());
        for (int i = 0; i < 3; i++) {
            payments.execute(() -> {
                throw new IOException("down");
            });
            clock.advance(Duration.ofMillis(100));
        }
        for (int i = 0; i < 25; i++) {
            payments.execute(() -> "rejected while open");
        }
        clock.advance(Duration.ofSeconds(6));
        payments.execute(() -> "ok");
    }

    @Test
    void aBreakersTimelineIsReadBackFromTheStore() {
        try (Infrastructure infra = Infrastructure.builder().clock(clock)
                .install(EventRecorder.builder().fileStore(dir).asModule()).build();
             TelemetryCapture emitted = TelemetryCapture.all(infra.telemetry())) {
            breakerStory(infra);

            EventRecorder recorder = infra.component(EventRecorder.class).orElseThrow();
            assertThat(recorder.flush()).isTrue();
            EventStore store = infra.component(EventStore.class).orElseThrow();
            List<StoredEvent> timeline = store.list(EventQuery.builder().component("payments").build());

            assertThat(timeline).extracting(e -> e.suffix(Events.DEFAULT_PREFIX) + (e.kind() == StoredEvent.Kind.AGGREGATE ? " x" + e.count() : "")
                            + (e.metadata().containsKey("to") ? " " + e.metadata().get("from") + "->" + e.metadata().get("to") : ""))
                    .containsExactly("circuit_breaker.fuse_installed",
                            "circuit_breaker.state_change closed->open",
                            "circuit_breaker.call_rejected x25",
                            "circuit_breaker.state_change open->closed");
            assertThat(timeline.get(1).timestampMillis()).isEqualTo(ManualClock.DEFAULT_START.toEpochMilli() + 200);
            assertThat(infra.status().component(EventRecorder.COMPONENT_NAME, EventRecorder.Status.class)).hasValueSatisfying(
                    s -> assertThat(s.written()).isPositive());
            assertThat(infra.status().component(EventRecorder.STORE_COMPONENT_NAME, FileEventStore.Status.class)).hasValueSatisfying(
                    s -> assertThat(s.directory()).isEqualTo(dir.toAbsolutePath()));
            assertThat(infra.errorCodes().find(7401)).contains(EventStoreErrorCode.STORE_UNAVAILABLE);
            assertThat(emitted.undeclared()).isEmpty();
        }
        // the infrastructure's start and stop were recorded too, and the log outlives it
        try (FileEventStore store = FileEventStore.openReadOnly(dir)) {
            assertThat(store.list(EventQuery.builder().namePrefix("foundation.infra.infrastructure").build()))
                    .extracting(StoredEvent::name)
                    .containsExactly("foundation.infra.infrastructure.initialized", "foundation.infra.infrastructure.stopped");
        }
    }

    @Test
    void withCallOutcomesTheFailedCallsAreKeptOneByOne() {
        try (Infrastructure infra = Infrastructure.builder().clock(clock)
                .install(EventRecorder.builder().fileStore(dir).keepCallOutcomes().asModule()).build()) {
            breakerStory(infra);
            assertThat(infra.component(EventRecorder.class).orElseThrow().flush()).isTrue();
            List<StoredEvent> calls = infra.component(EventStore.class).orElseThrow()
                    .list(EventQuery.builder().namePrefix("foundation.infra.circuit_breaker.call_executed").build());
            // three failures; the one success is not kept
            assertThat(calls).hasSize(3).allSatisfy(e -> assertThat(e.metadata()).containsEntry("status", "exception"));
        }
    }

    @Test
    void theCommandLinePrintsTheTimelineOfAComponent() {
        try (Infrastructure infra = Infrastructure.builder().clock(clock)
                .install(EventRecorder.builder().fileStore(dir).asModule()).build()) {
            breakerStory(infra);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Query.run(new String[] {"--dir", dir.toString(), "--since", "10m", "--component", "payments",
                "--event", "circuit_breaker"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock);

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).containsPattern("2025-01-01T00:00:00\\.200Z  circuit_breaker\\.state_change +payments +closed -> open trigger=failure_count");
        assertThat(printed).containsPattern("2025-01-01T00:00:00\\.300Z  circuit_breaker\\.call_rejected +payments +x25 in that second reason=open");
        assertThat(printed).contains("open -> closed").contains("-- 4 records");
        assertThat(printed).doesNotContain("infrastructure.initialized");
    }

    @Test
    void theCommandLineRefusesABadCommandWithItsCode() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Query.run(new String[] {"--dir", dir.toString(), "--since", "ten minutes"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), clock);
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error 7403").contains("'ten minutes'");
        assertThat(Query.run(new String[] {"--since", "1h"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), clock)).isEqualTo(2);
        assertThat(Query.run(new String[] {"--dir", dir.resolve("missing").toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), clock)).isEqualTo(1);
    }

    @Test
    void aSecondRecorderOnTheSameDirectoryFailsTheBuildWithItsCode() {
        try (Infrastructure first = Infrastructure.builder().clock(clock)
                .install(EventRecorder.builder().fileStore(dir).asModule()).build()) {
            assertThatThrownBy(() -> Infrastructure.builder().clock(clock)
                    .install(EventRecorder.builder().fileStore(dir).asModule()).build())
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7407));
            assertThat(first.component(EventRecorder.class)).isPresent();
        }
    }
}
