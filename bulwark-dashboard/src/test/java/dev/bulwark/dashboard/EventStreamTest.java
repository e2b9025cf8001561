package dev.bulwark.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Unit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /bulwark/events: order, heartbeats, the bound on clients, and slow clients dropped without blocking anyone. */
class EventStreamTest {

    static final EventType PING = EventType.builder("test", "ping").description("a test event")
            .measurement("n", Unit.COUNT, "its number").detail("payload", "padding").build();

    private Infrastructure infra;
    private BulwarkDashboard dashboard;

    private InetSocketAddress start(BulwarkDashboard.Builder builder) {
        infra = Infrastructure.builder().install(builder.port(0).asModule()).build();
        infra.telemetry().declare(List.of(PING));
        dashboard = infra.component(BulwarkDashboard.class).orElseThrow();
        return dashboard.address();
    }

    @AfterEach
    void stop() {
        if (infra != null) {
            infra.close();
        }
    }

    private static String data(List<String> frame) {
        return frame.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).findFirst().orElseThrow();
    }

    private static String field(List<String> frame, String name) {
        return frame.stream().filter(l -> l.startsWith(name + ": ")).map(l -> l.substring(name.length() + 2))
                .findFirst().orElse(null);
    }

    private static long sseThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("bulwark-dashboard-sse-") && t.isAlive()).count();
    }

    @Test
    @SuppressWarnings("unchecked")
    void eventsArriveInOrderThenHeartbeatsWhileIdle() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder().heartbeat(Duration.ofMillis(100))
                .tick(Duration.ofHours(1)));
        try (Http.EventSource events = new Http.EventSource(address, 0)) {
            assertThat(events.head.status()).isEqualTo(200);
            assertThat(events.head.header("Content-Type")).startsWith("text/event-stream");
            assertThat(events.next()).containsExactly("retry: 2000");
            await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().streamClients() == 1);

            EventChannel ping = infra.telemetry().channel(PING);
            for (int i = 0; i < 50; i++) {
                ping.emit(Map.of("n", i), Map.of("payload", "p" + i));
            }
            long previousId = 0;
            for (int i = 0; i < 50; i++) {
                List<String> frame = events.next();
                // skip heartbeats and the backlog (infrastructure.initialized)
                while ("heartbeat".equals(field(frame, "event")) || !data(frame).contains("\"test.ping\"")) {
                    frame = events.next();
                }
                long id = Long.parseLong(field(frame, "id"));
                assertThat(id).isGreaterThan(previousId);
                previousId = id;
                Map<String, Object> event = MiniJson.object(data(frame));
                assertThat(event).containsEntry("event", "test.ping");
                assertThat((Map<String, Object>) event.get("measurements")).containsEntry("n", (double) i);
                assertThat((Map<String, Object>) event.get("metadata")).containsEntry("payload", "p" + i);
            }
            // idle now: heartbeats, numbered
            List<Double> beats = new ArrayList<>();
            while (beats.size() < 3) {
                List<String> frame = events.next();
                assertThat(field(frame, "event")).isEqualTo("heartbeat");
                beats.add((Double) MiniJson.object(data(frame)).get("beat"));
            }
            assertThat(beats.get(1)).isEqualTo(beats.get(0) + 1);
            assertThat(beats.get(2)).isEqualTo(beats.get(1) + 1);
        }
    }

    @Test
    void aClientThatConnectsLaterGetsTheRecentEventsFirst() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder().tick(Duration.ofHours(1)));
        infra.circuitBreakers().install("db");
        infra.circuitBreakers().disable("db");
        try (Http.EventSource events = new Http.EventSource(address, 0)) {
            events.next();   // retry
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                names.add((String) MiniJson.object(data(events.next())).get("event"));
            }
            assertThat(names).containsExactly("infrastructure.initialized", "circuit_breaker.fuse_installed",
                    "circuit_breaker.state_change");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void ticksCarryTheLiveFigures() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder().tick(Duration.ofMillis(100)));
        for (int i = 0; i < 5; i++) {
            infra.rateLimiter().checkRate("user:" + (i % 2), "search", 1, Duration.ofMinutes(1));
        }
        try (Http.EventSource events = new Http.EventSource(address, 0)) {
            List<String> frame;
            do {
                frame = events.next();
            } while (!"tick".equals(field(frame, "event")));
            Map<String, Object> tick = MiniJson.object(data(frame));
            assertThat(tick).containsKeys("t", "protections", "allowed", "denied", "breakers", "top_denied", "memory");
            List<Map<String, Object>> top = (List<Map<String, Object>>) tick.get("top_denied");
            assertThat(top).extracting(m -> m.get("entity")).containsExactly("user:0", "user:1");
            assertThat(top).extracting(m -> m.get("denied")).containsExactly(2.0, 1.0);
        }
    }

    @Test
    void theNumberOfClientsIsBounded() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder().maxStreamClients(2));
        try (Http.EventSource a = new Http.EventSource(address, 0);
             Http.EventSource b = new Http.EventSource(address, 0);
             Http.EventSource c = new Http.EventSource(address, 0)) {
            assertThat(a.head.status()).isEqualTo(200);
            assertThat(b.head.status()).isEqualTo(200);
            assertThat(c.head.status()).isEqualTo(503);
            assertThat(c.head.header("Retry-After")).isEqualTo("5");
            assertThat(c.head.body()).contains("7506");
        }
        // the two that left free their places
        await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().streamClients() == 0);
        try (Http.EventSource d = new Http.EventSource(address, 0)) {
            assertThat(d.head.status()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatStopsReadingIsDroppedWithoutBlockingTheEmitterOrLeakingItsThread() throws Exception {
        InetSocketAddress address = start(BulwarkDashboard.builder().clientQueueFrames(16)
                .maxStreamedPerTick(1_000_000).heartbeat(Duration.ofMillis(200)).tick(Duration.ofHours(1)));
        long threadsBefore = sseThreads();
        String padding = "x".repeat(16 * 1024);
        try (Http.EventSource stalled = new Http.EventSource(address, 4096);
             Http.EventSource reader = new Http.EventSource(address, 0)) {
            assertThat(stalled.head.status()).isEqualTo(200);
            await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().streamClients() == 2);
            assertThat(sseThreads()).isEqualTo(threadsBefore + 2);

            // a reader that keeps up, on its own thread
            List<Long> readIds = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread readerThread = new Thread(() -> {
                try {
                    while (readIds.size() < 2_001) {
                        List<String> frame = reader.next();
                        String id = field(frame, "id");
                        if (id != null) {
                            readIds.add(Long.parseLong(id));
                        }
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            });
            readerThread.start();

            // the stalled client never reads: 2000 events of 16 KiB fill its socket, then its queue
            EventChannel ping = infra.telemetry().channel(PING);
            long worstEmitNanos = 0;
            long begin = System.nanoTime();
            for (int i = 0; i < 2_000; i++) {
                long t = System.nanoTime();
                ping.emit(Map.of("n", i), Map.of("payload", padding));
                worstEmitNanos = Math.max(worstEmitNanos, System.nanoTime() - t);
                if (i % 8 == 7) {
                    // let the reader keep up (it is not the one under test): it never lags a queue behind
                    int sent = i + 1;
                    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(10, TimeUnit.SECONDS)
                            .until(() -> readIds.size() >= sent);
                }
            }
            long total = System.nanoTime() - begin;

            await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().clientsDropped() == 1);
            assertThat(dashboard.status().streamClients()).isEqualTo(1);
            // the emitter never waited for the stalled client (whose socket never drains: a blocking
            // emit would never return); no single emit took long even on a loaded machine
            assertThat(Duration.ofNanos(worstEmitNanos)).isLessThan(Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(total)).isLessThan(Duration.ofSeconds(30));
            // the stalled client's writer thread is gone, the reader's remains
            await().atMost(5, TimeUnit.SECONDS).until(() -> sseThreads() == threadsBefore + 1);
            // and the reader got every event, in order
            await().atMost(10, TimeUnit.SECONDS).until(() -> readIds.size() == 2_001);   // the backlog's event too
            List<Long> copy = new ArrayList<>(readIds);
            assertThat(copy).isSorted().doesNotHaveDuplicates();
            readerThread.join(5_000);
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> sseThreads() == threadsBefore);
    }

    @Test
    void aClientThatGoesAwayIsForgotten() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder().heartbeat(Duration.ofMillis(50)));
        long threadsBefore = sseThreads();
        Http.EventSource events = new Http.EventSource(address, 0);
        await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().streamClients() == 1);
        events.close();
        await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().streamClients() == 0);
        await().atMost(5, TimeUnit.SECONDS).until(() -> sseThreads() == threadsBefore);
        assertThat(dashboard.status().clientsDropped()).isZero();
    }

    @Test
    void closingTheInfrastructureEndsEveryStreamAndThread() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        Http.EventSource events = new Http.EventSource(address, 0);
        await().atMost(5, TimeUnit.SECONDS).until(() -> dashboard.status().streamClients() == 1);
        infra.close();
        await().atMost(5, TimeUnit.SECONDS).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("bulwark-dashboard")));
        events.close();
    }
}
