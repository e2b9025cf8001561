package dev.bulwark.redis.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** {@link FleetWorker} JVMs, their output read as it comes. */
final class FleetProcesses implements AutoCloseable {

    /** A line a worker printed: its kind, its wall-clock time (ms) and the rest. */
    record Line(int instance, String kind, long atMillis, List<String> fields) {
        String field(int i) {
            return fields.get(i);
        }
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<Writer> inputs = new ArrayList<>();
    final List<List<Line>> lines = new ArrayList<>();

    FleetProcesses(int count, List<String> args) throws Exception {
        for (int i = 0; i < count; i++) {
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-XX:TieredStopAtLevel=1", "-Xss512k",
                    "-Djava.util.logging.config.file=" + System.getProperty("java.util.logging.config.file", ""),
                    "-cp", testClassPath(), FleetWorker.class.getName(), "id=" + i));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.add(p);
            inputs.add(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
            List<Line> mine = new CopyOnWriteArrayList<>();
            lines.add(mine);
            int instance = i;
            Thread reader = new Thread(() -> read(instance, p, mine), "fleet-worker-" + i);
            reader.setDaemon(true);
            reader.start();
        }
        for (int i = 0; i < count; i++) {
            int instance = i;
            await().atMost(Duration.ofSeconds(60)).until(() -> first(instance, "ready", l -> true).isPresent());
        }
    }

    private static void read(int instance, Process p, List<Line> into) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] parts = line.split(" ");
                long at = parts.length > 1 && parts[1].matches("\\d{13}") ? Long.parseLong(parts[1]) : System.currentTimeMillis();
                int from = parts.length > 1 && parts[1].matches("\\d{13}") ? 2 : 1;
                into.add(new Line(instance, parts[0], at, List.of(parts).subList(Math.min(from, parts.length), parts.length)));
            }
        } catch (Exception e) {
            // the process ended
        }
    }

    /** The first line of {@code kind} from {@code instance} that matches. */
    Optional<Line> first(int instance, String kind, Predicate<Line> matching) {
        return lines.get(instance).stream().filter(l -> l.kind().equals(kind) && matching.test(l)).findFirst();
    }

    /** The lines of {@code kind} from {@code instance} that match. */
    List<Line> all(int instance, String kind, Predicate<Line> matching) {
        return lines.get(instance).stream().filter(l -> l.kind().equals(kind) && matching.test(l)).toList();
    }

    /** The first state change of {@code instance} to {@code to} at or after {@code since} (ms). */
    Line awaitState(int instance, String to, long since, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(10))
                .until(() -> first(instance, "state", l -> l.atMillis() >= since && l.field(1).equals(to)).isPresent());
        return first(instance, "state", l -> l.atMillis() >= since && l.field(1).equals(to)).orElseThrow();
    }

    /** Waits until {@code instance} has printed the fleet event {@code event} with {@code reason}. */
    Line awaitFleetEvent(int instance, String event, String reason) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() ->
                first(instance, "fleet", l -> l.field(0).equals(event) && l.field(1).equals(reason)).isPresent());
        return first(instance, "fleet", l -> l.field(0).equals(event) && l.field(1).equals(reason)).orElseThrow();
    }

    /** Asks {@code instance} for its status line: coordination, state, trial lease, live, open, Redis reachable. */
    Line status(int instance) throws Exception {
        int before = all(instance, "status", l -> true).size();
        tell(instance, "status");
        await().atMost(Duration.ofSeconds(10)).until(() -> all(instance, "status", l -> true).size() > before);
        List<Line> statuses = all(instance, "status", l -> true);
        return statuses.get(statuses.size() - 1);
    }

    void tell(int instance, String line) throws Exception {
        Writer in = inputs.get(instance);
        in.write(line + "\n");
        in.flush();
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < processes.size(); i++) {
            try {
                tell(i, "quit");
            } catch (Exception e) {
                // already gone
            }
        }
        for (Process p : processes) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (int i = 0; i < processes.size(); i++) {
            assertThat(processes.get(i).exitValue()).as("worker " + i + " exit code").isZero();
        }
    }

    static String javaExecutable() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
