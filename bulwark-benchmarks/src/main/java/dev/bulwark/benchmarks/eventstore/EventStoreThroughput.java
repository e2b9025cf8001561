package dev.bulwark.benchmarks.eventstore;

import dev.bulwark.eventstore.EventRecorder;
import dev.bulwark.eventstore.EventStore;
import dev.bulwark.eventstore.FileEventStore;
import dev.bulwark.eventstore.FsyncPolicy;
import dev.bulwark.eventstore.PostgresEventStore;
import dev.bulwark.eventstore.StoredEvent;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The event store's figures, measured by hand because what they measure is not one operation:
 *
 * <ol>
 *   <li><b>enqueue</b>: the cost on the emitting thread of {@code channel.emit(...)} with the
 *       recorder attached (the maps are built once: "beyond the event itself"), beside no handler
 *       and a no-op handler. Rounds of 8192 emits (half the queue, so nothing is dropped and the
 *       path measured is the enqueue, not the drop); the mean of each round goes into an
 *       HdrHistogram; the emitting thread's allocation is read from its ThreadMXBean. Between rounds
 *       the recorder is flushed, outside the timing.</li>
 *   <li><b>sustained</b>: events per second through the whole path (emit → queue → writer →
 *       store), emitting as fast as the writer drains (the emitter parks while the queue is over
 *       half full, so nothing is dropped), for the file store under each fsync policy and for
 *       PostgreSQL.</li>
 *   <li><b>append</b>: the store alone, batches of 1024 prebuilt records.</li>
 * </ol>
 *
 * Arguments (key=value): {@code seconds=3} per measurement, {@code rounds=300},
 * {@code postgres=true} (false to skip), {@code jdbc=jdbc:postgresql://127.0.0.1:5432/test}.
 */
public final class EventStoreThroughput {

    private static final int ROUND = 8192;

    private EventStoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new java.util.HashMap<>(Map.of("seconds", "3", "rounds", "300", "postgres", "true",
                "jdbc", "jdbc:postgresql://127.0.0.1:5432/test"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        int seconds = Integer.parseInt(opts.get("seconds"));
        int rounds = Integer.parseInt(opts.get("rounds"));
        boolean postgres = Boolean.parseBoolean(opts.get("postgres")) && reachable(opts.get("jdbc"));
        System.out.printf(Locale.ROOT, "Event store figures on %s, %d cores, %s%n", System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), postgres ? "PostgreSQL at " + opts.get("jdbc") : "without PostgreSQL");

        System.out.println();
        System.out.println("1. enqueue cost on the emitting thread (circuit_breaker.state_change, kept one by one)");
        System.out.println("| handler | mean ns/emit | p50 | p99 | B/emit |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String handler : List.of("none", "noop", "recorder")) {
            enqueue(handler, rounds);
        }

        System.out.println();
        System.out.println("2. sustained events/s, emit -> recorder -> store (batches of up to 1024)");
        System.out.println("| store | events/s | batches | mean batch |");
        System.out.println("|---|---:|---:|---:|");
        sustained("file, fsync never", fileStore(FsyncPolicy.never()), seconds);
        sustained("file, fsync every 1 s", fileStore(FsyncPolicy.every(Duration.ofSeconds(1))), seconds);
        sustained("file, fsync every batch", fileStore(FsyncPolicy.everyBatch()), seconds);
        if (postgres) {
            sustained("postgresql (COPY)", pgStore(opts.get("jdbc")), seconds);
        }

        System.out.println();
        System.out.println("3. the store alone: append(batch of 1024)");
        System.out.println("| store | events/s |");
        System.out.println("|---|---:|");
        append("file, fsync never", fileStore(FsyncPolicy.never()), seconds);
        append("file, fsync every batch", fileStore(FsyncPolicy.everyBatch()), seconds);
        if (postgres) {
            append("postgresql (COPY)", pgStore(opts.get("jdbc")), seconds);
        }
    }

    // ---------------------------------------------------------------- 1

    private static void enqueue(String handler, int rounds) throws IOException {
        Telemetry telemetry = Telemetry.create();
        EventChannel channel = telemetry.channel(Events.CIRCUIT_BREAKER_STATE_CHANGE);
        Path dir = Files.createTempDirectory("bulwark-bench-enqueue");
        EventRecorder recorder = null;
        if (handler.equals("noop")) {
            telemetry.attachPrefix("noop", telemetry.prefix(), (n, m, md) -> { });
        } else if (handler.equals("recorder")) {
            recorder = EventRecorder.builder().fileStore(FileEventStore.builder(dir).fsync(FsyncPolicy.never()))
                    .queueCapacity(2 * ROUND).batchSize(1024).start(telemetry, Clock.system());
        }
        Map<String, Number> m = Map.of("sequence", 1L);
        Map<String, Object> md = Map.of("name", "payments", "from", "closed", "to", "open", "trigger", "failure_rate");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        Histogram tenthsOfNs = new Histogram(3);
        long allocated = 0;
        long emits = 0;
        for (int r = 0; r < rounds + rounds / 3; r++) {
            boolean measured = r >= rounds / 3;   // the first third warms the JIT up
            long a0 = threads.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            for (int i = 0; i < ROUND; i++) {
                if (channel.isActive()) {
                    channel.emit(m, md);
                }
            }
            long t1 = System.nanoTime();
            long a1 = threads.getThreadAllocatedBytes(tid);
            if (measured) {
                tenthsOfNs.recordValue(Math.max(1, (t1 - t0) * 10 / ROUND));
                allocated += a1 - a0;
                emits += ROUND;
            }
            if (recorder != null) {
                recorder.flush();
            }
        }
        if (recorder != null) {
            EventRecorder.Status s = recorder.status();
            recorder.close();
            recorder.store().close();
            if (s.dropped() > 0) {
                System.out.println("  (dropped " + s.dropped() + ": the figures include drops)");
            }
        }
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2f |%n", handler, tenthsOfNs.getMean() / 10,
                tenthsOfNs.getValueAtPercentile(50) / 10.0, tenthsOfNs.getValueAtPercentile(99) / 10.0,
                (double) allocated / emits);
        delete(dir);
    }

    // ---------------------------------------------------------------- 2

    private interface StoreFactory {
        EventStore open() throws Exception;
    }

    private static Path lastDir;

    private static StoreFactory fileStore(FsyncPolicy fsync) {
        return () -> {
            lastDir = Files.createTempDirectory("bulwark-bench-file");
            return FileEventStore.builder(lastDir).fsync(fsync).build();
        };
    }

    private static String lastSchema;

    private static StoreFactory pgStore(String jdbc) {
        return () -> {
            lastSchema = "bulwark_bench_" + Long.toString(System.nanoTime() & 0xFFFFFFFL, 36);
            return PostgresEventStore.builder().jdbcUrl(jdbc).schema(lastSchema).build();
        };
    }

    private static void cleanUp(String jdbc) throws Exception {
        if (lastDir != null) {
            delete(lastDir);
            lastDir = null;
        }
        if (lastSchema != null) {
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", null); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + lastSchema + " CASCADE");
            }
            lastSchema = null;
        }
    }

    private static void sustained(String label, StoreFactory factory, int seconds) throws Exception {
        Telemetry telemetry = Telemetry.create();
        EventChannel channel = telemetry.channel(Events.CIRCUIT_BREAKER_STATE_CHANGE);
        EventStore store = factory.open();
        EventRecorder recorder = EventRecorder.builder().store(store).queueCapacity(65_536).batchSize(1024)
                .maxBufferedRecords(8192).start(telemetry, Clock.system());
        Map<String, Number> m = Map.of("sequence", 1L);
        Map<String, Object> md = Map.of("name", "payments", "from", "closed", "to", "open", "trigger", "failure_rate");
        for (int pass = 0; pass < 2; pass++) {   // the first pass warms up
            long before = recorder.status().written();
            long batchesBefore = recorder.status().batches();
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(pass == 0 ? 1 : seconds).toNanos();
            long i = 0;
            while (System.nanoTime() < end) {
                while (recorder.status().queued() > 32_768) {
                    // park rather than spin: on two cores a spinning emitter takes the CPU the writer (and PostgreSQL) need
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
                for (int k = 0; k < 256; k++) {
                    channel.emit(m, md);
                }
                i += 256;
            }
            recorder.flush(Duration.ofMinutes(2));
            long elapsed = System.nanoTime() - start;
            EventRecorder.Status s = recorder.status();
            long written = s.written() - before;
            if (pass == 1) {
                System.out.printf(Locale.ROOT, "| %s | %,.0f | %d | %.0f |%s%n", label, written * 1e9 / elapsed,
                        s.batches() - batchesBefore, (double) written / Math.max(1, s.batches() - batchesBefore),
                        s.dropped() > 0 ? " (dropped " + s.dropped() + ")" : "");
            }
        }
        recorder.close();
        store.close();
        cleanUp("jdbc:postgresql://127.0.0.1:5432/test");
    }

    // ---------------------------------------------------------------- 3

    private static void append(String label, StoreFactory factory, int seconds) throws Exception {
        EventStore store = factory.open();
        List<StoredEvent> batch = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < 1024; i++) {
            batch.add(StoredEvent.event(now + i, "foundation.infra.circuit_breaker.state_change", "payments", null,
                    Map.of("sequence", (long) i), Map.of("name", "payments", "from", "closed", "to", "open",
                            "trigger", "failure_rate")));
        }
        for (int pass = 0; pass < 2; pass++) {
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(pass == 0 ? 1 : seconds).toNanos();
            long events = 0;
            while (System.nanoTime() < end) {
                store.append(batch);
                events += batch.size();
            }
            if (pass == 1) {
                System.out.printf(Locale.ROOT, "| %s | %,.0f |%n", label, events * 1e9 / (System.nanoTime() - start));
            }
        }
        store.close();
        cleanUp("jdbc:postgresql://127.0.0.1:5432/test");
    }

    private static boolean reachable(String jdbc) {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", null)) {
            return c.isValid(2);
        } catch (Exception e) {
            return false;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
