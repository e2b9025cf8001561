package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.eventstore.support.PostgresAvailability;
import dev.bulwark.eventstore.support.RequiresPostgres;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TcpProxy;
import dev.bulwark.time.Clock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away mid-run (its TCP path cut by a proxy) and comes back: the recorder buffers up
 * to its bound, drops and counts the rest, retries with backoff and recovers by itself; afterwards
 * the counts add up exactly: every event offered was written (each once: the rows in PostgreSQL are
 * what the recorder counts as written) or dropped.
 */
@RequiresPostgres
class PostgresOutageTest {

    private final String schema = PostgresAvailability.randomSchema("outage");
    private TcpProxy proxy;
    private Telemetry telemetry;
    private EventRecorder recorder;

    @BeforeEach
    void setUp() throws Exception {
        proxy = new TcpProxy(PostgresAvailability.HOST, PostgresAvailability.PORT);
        telemetry = Telemetry.create();
        telemetry.declare(List.of(EventRecorderTest.TICK));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (recorder != null) {
            recorder.close();
            recorder.store().close();
        }
        proxy.close();
        PostgresAvailability.dropSchema(schema);
    }

    @Test
    void aCutIsBufferedThenDroppedAndCountedAndRecoveredFromExactly() throws Exception {
        recorder = EventRecorder.builder()
                .postgres(PostgresEventStore.builder()
                        .jdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test")
                        .schema(schema).connectionTimeout(Duration.ofMillis(500)).socketTimeout(Duration.ofSeconds(5)))
                .maxBufferedRecords(2_000).batchSize(200).flushInterval(Duration.ofMillis(20))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(400)).queueCapacity(65_536)
                .start(telemetry, Clock.system());
        EventChannel tick = telemetry.channel(EventRecorderTest.TICK);
        long emitted = 0;
        for (; emitted < 3_000; emitted++) {
            tick.emit(Map.of("i", emitted), Map.of("name", "before"));
        }
        assertThat(recorder.flush()).isTrue();
        assertThat(recorder.status().written()).isEqualTo(3_000);

        proxy.cut();
        // keep emitting while it is down, until the buffer is full and drops have begun
        long duringCut = 0;
        while (recorder.status().droppedUnavailable() == 0 && duringCut < 200_000) {
            tick.emit(Map.of("i", emitted + duringCut), Map.of("name", "during"));
            duringCut++;
            if (duringCut % 500 == 0) {
                await().pollDelay(Duration.ofMillis(1)).atMost(Duration.ofSeconds(1)).until(() -> true);
            }
        }
        EventRecorder.Status down = recorder.status();
        assertThat(down.storeAvailable()).isFalse();
        // full: 2 000 records of ticks, plus the module's own event_store.* events, which go in beyond the
        // bound (store_unavailable, a drop report a second: a handful in this loop's time)
        assertThat(down.bufferedRecords()).isBetween(2_000, 2_000 + 10);
        assertThat(down.droppedUnavailable()).isPositive();

        proxy.restore();
        await().atMost(Duration.ofSeconds(20)).until(() -> recorder.status().storeAvailable()
                && recorder.status().bufferedEvents() == 0);
        for (long i = 0; i < 1_000; i++) {
            tick.emit(Map.of("i", i), Map.of("name", "after"));
        }
        assertThat(recorder.flush()).isTrue();
        assertThat(recorder.flush()).isTrue();   // the recorder's own events about the outage too

        EventRecorder.Status s = recorder.status();
        long rows;
        long events;
        long ticksWritten;
        try (Connection c = PostgresAvailability.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(count), sum(count) FILTER (WHERE name LIKE '%test.tick') FROM "
                     + schema + ".events")) {
            rs.next();
            rows = rs.getLong(1);
            events = rs.getLong(2);
            ticksWritten = rs.getLong(3);
        }
        assertThat(s.queued()).isZero();
        assertThat(s.bufferedEvents()).isZero();
        assertThat(s.aggregating()).isZero();
        assertThat(events).as("events in PostgreSQL").isEqualTo(s.written());
        assertThat(rows).isEqualTo(s.rowsWritten());
        assertThat(s.offered()).as("offered = written + dropped").isEqualTo(s.written() + s.droppedQueueFull() + s.droppedUnavailable());
        assertThat(s.offered()).isGreaterThanOrEqualTo(3_000 + duringCut + 1_000);
        // the ticks: all before and after the cut, and those of the cut that were not dropped
        assertThat(ticksWritten).isBetween(4_000L + 1_900, 4_000L + duringCut);
        assertThat(names(schema)).contains("foundation.infra.event_store.store_unavailable",
                "foundation.infra.event_store.store_recovered", "foundation.infra.event_store.events_dropped");
        PostgresEventStore.Status store = (PostgresEventStore.Status) recorder.store().status();
        assertThat(store.reachable()).isTrue();
        assertThat(store.rowsWritten()).isEqualTo(rows);
    }

    private static List<String> names(String schema) throws Exception {
        try (Connection c = PostgresAvailability.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT name FROM " + schema + ".events")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }
}
