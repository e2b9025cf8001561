package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.eventstore.support.PostgresAvailability;
import dev.bulwark.eventstore.support.RequiresPostgres;
import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The PostgreSQL store's own promises: partitions ahead and on demand, retention by dropping them, the CLI over JDBC. */
@RequiresPostgres
class PostgresEventStoreTest {

    private final String schema = PostgresAvailability.randomSchema("pg");
    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private PostgresEventStore store;

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        PostgresAvailability.dropSchema(schema);
    }

    private PostgresEventStore open(Duration maxAge) {
        PostgresEventStore.Builder b = PostgresEventStore.builder().jdbcUrl(PostgresAvailability.URL).schema(schema)
                .partitionInterval(Duration.ofHours(1)).partitionsAhead(2).clock(clock).telemetry(telemetry);
        if (maxAge != null) {
            b.maxAge(maxAge);
        }
        store = b.build();
        return store;
    }

    private StoredEvent at(long millis) {
        return StoredEvent.event(millis, "foundation.infra.circuit_breaker.state_change", "payments", null, Map.of("sequence", 1L),
                Map.of("name", "payments", "from", "closed", "to", "open"));
    }

    @Test
    void partitionsAreCreatedAheadOnStartAndOnDemandForABatch() {
        open(null);
        long now = clock.currentTimeMillis();
        assertThat(store.partitions()).containsExactly("events_p20241231_2300", "events_p20250101_0000",
                "events_p20250101_0100", "events_p20250101_0200");
        store.append(List.of(at(now + Duration.ofDays(3).toMillis())));
        assertThat(store.partitions()).contains("events_p20250104_0000").hasSize(5);
        assertThat(store.list(EventQuery.all())).hasSize(1);
    }

    @Test
    void retentionDropsWholePartitionsThatEndedBeforeTheMaximumAge() {
        open(Duration.ofHours(2));
        long t0 = clock.currentTimeMillis();
        for (int h = 0; h < 6; h++) {
            store.append(List.of(at(t0 + h * 3_600_000L + 1)));
        }
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            clock.advance(Duration.ofHours(6));
            int dropped = store.applyRetention();

            // now = t0 + 6 h, cutoff t0 + 4 h: the partitions of hours -1 .. 3 end at or before it
            assertThat(dropped).isEqualTo(5);
            assertThat(store.list(EventQuery.builder().unlimited().build())).extracting(StoredEvent::timestampMillis)
                    .containsExactly(t0 + 4 * 3_600_000L + 1, t0 + 5 * 3_600_000L + 1);
            assertThat(events.events()).filteredOn(e -> e.name().toString().endsWith("retention_deleted")).hasSize(5)
                    .allSatisfy(e -> assertThat(e.metadata()).containsEntry("reason", "age"));
            assertThat(store.status().droppedPartitions()).isEqualTo(5);
        }
        // writing into a dropped interval creates its partition again
        store.append(List.of(at(t0 + 1)));
        assertThat(store.list(EventQuery.builder().unlimited().build())).hasSize(3);
    }

    @Test
    void aStoreOpenedWithAnotherIntervalKeepsTheSchemasSoPartitionsNeverOverlap() {
        open(null);                                   // creates the schema with hourly partitions
        store.close();
        long now = clock.currentTimeMillis();
        store = PostgresEventStore.builder().jdbcUrl(PostgresAvailability.URL).schema(schema)
                .partitionInterval(Duration.ofDays(1)).partitionsAhead(2).clock(clock).telemetry(telemetry).build();

        assertThat(store.partitionInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(store.status().lastError()).isNull();
        store.append(List.of(at(now + Duration.ofDays(3).toMillis() + 90 * 60_000L)));   // day 3, 01:30
        assertThat(store.partitions()).contains("events_p20250104_0100").doesNotContain("events_p20250104_0000");
        assertThat(store.list(EventQuery.all())).hasSize(1);
    }

    @Test
    void aReadOnlyStoreQueriesAndRefusesEveryWriteWith7406() {
        open(null);
        store.append(List.of(at(clock.currentTimeMillis())));
        try (PostgresEventStore readOnly = PostgresEventStore.builder().jdbcUrl(PostgresAvailability.URL).schema(schema)
                .clock(clock).telemetry(telemetry).readOnly().build()) {
            assertThat(readOnly.list(EventQuery.all())).hasSize(1);
            assertThatThrownBy(() -> readOnly.append(List.of(at(clock.currentTimeMillis()))))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7406))
                    .hasMessageContaining("read-only");
            assertThatThrownBy(readOnly::applyRetention).isInstanceOf(InfraException.class);
            assertThatThrownBy(readOnly::createPartitionsAhead).isInstanceOf(InfraException.class);
        }
        assertThat(store.list(EventQuery.all())).hasSize(1);
    }

    @Test
    void theQueryCommandNeverCreatesTheSchemaItIsAskedToRead() throws SQLException {
        String absent = PostgresAvailability.randomSchema("absent");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Query.run(new String[] {"--jdbc", PostgresAvailability.URL, "--schema", absent, "--since", "1m"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                dev.bulwark.time.Clock.system());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(absent);
        try (Connection c = PostgresAvailability.connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, absent);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("schema " + absent + " created by a query").isZero();
            }
        } finally {
            PostgresAvailability.dropSchema(absent);
        }
    }

    @Test
    void theCommandLineReadsPostgresToo() {
        open(null);
        long now = System.currentTimeMillis();
        store.append(List.of(at(now - 1_000), at(now - 500)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Query.run(new String[] {"--jdbc", PostgresAvailability.URL, "--schema", schema, "--since", "1m",
                "--component", "payments"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), dev.bulwark.time.Clock.system());

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("circuit_breaker.state_change", "closed -> open", "-- 2 records");
    }
}
