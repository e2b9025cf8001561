package dev.bulwark.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Separate JVMs running {@link ClusterWorker} (or another main class with the same
 * {@code ready} / {@code go} / {@code stop} / {@code done} protocol), started together and read
 * back: one line per key and a summary per process.
 */
final class WorkerFleet implements AutoCloseable {

    /** One key's totals over every process. */
    static final class KeyTotals {
        long redisAdmitted;
        long policyAdmitted;
        long policyDecisions;

        long admitted() {
            return redisAdmitted + policyAdmitted;
        }
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<BufferedReader> outputs = new ArrayList<>();
    private final List<Writer> inputs = new ArrayList<>();
    /** "group entity" → totals. */
    final Map<String, KeyTotals> keys = new HashMap<>();
    final Map<String, Long> errors = new HashMap<>();
    final List<Map<String, Long>> summaries = new ArrayList<>();
    /** Why the failure policies decided, per process: "process i: operation/reason count". */
    final List<String> reasons = new ArrayList<>();
    /** Per process: "group entity" → totals, and errors. */
    final List<Map<String, KeyTotals>> processKeys = new ArrayList<>();
    final List<Map<String, Long>> processErrors = new ArrayList<>();

    WorkerFleet(int count, Class<?> main, List<String> args) throws Exception {
        this(count, main, args, List.of());
    }

    /** As above, process {@code i} also getting {@code extraArgs.get(i)} (when there is one). */
    WorkerFleet(int count, Class<?> main, List<String> args, List<List<String>> extraArgs) throws Exception {
        for (int i = 0; i < count; i++) {
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-XX:TieredStopAtLevel=1", "-Xss512k",
                    "-Djava.util.logging.config.file=" + System.getProperty("java.util.logging.config.file", ""),
                    "-cp", testClassPath(), main.getName()));
            command.addAll(args);
            if (i < extraArgs.size()) {
                command.addAll(extraArgs.get(i));
            }
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.add(p);
            outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            inputs.add(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        }
        for (BufferedReader out : outputs) {
            assertThat(out.readLine()).as("worker started").isEqualTo("ready");
        }
    }

    /** Sends {@code line} to every process. */
    void tell(String line) throws Exception {
        for (Writer in : inputs) {
            in.write(line + "\n");
            in.flush();
        }
    }

    /** Waits until every process has printed {@code line} (lines before it are skipped). */
    void awaitLine(String line) throws Exception {
        for (BufferedReader out : outputs) {
            String l;
            while ((l = out.readLine()) != null && !l.equals(line)) {
                // skip
            }
            assertThat(l).as("a worker printed " + line).isEqualTo(line);
        }
    }

    /** Waits for every process to finish and reads what it printed. */
    void collect(long timeoutSeconds) throws Exception {
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = outputs.get(i).readLine()) != null && !line.equals("done")) {
                lines.add(line);
            }
            assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("worker " + i + " finished").isTrue();
            assertThat(p.exitValue()).as("worker " + i + " exit code; it printed " + lines).isZero();
            Map<String, KeyTotals> mine = new HashMap<>();
            Map<String, Long> myErrors = new HashMap<>();
            processKeys.add(mine);
            processErrors.add(myErrors);
            for (String l : lines) {
                String[] parts = l.split(" ");
                switch (parts[0]) {
                    case "key" -> {
                        KeyTotals t = keys.computeIfAbsent(parts[1] + " " + parts[2], k -> new KeyTotals());
                        t.redisAdmitted += Long.parseLong(parts[3]);
                        t.policyAdmitted += Long.parseLong(parts[4]);
                        t.policyDecisions += Long.parseLong(parts[5]);
                        KeyTotals m = mine.computeIfAbsent(parts[1] + " " + parts[2], k -> new KeyTotals());
                        m.redisAdmitted += Long.parseLong(parts[3]);
                        m.policyAdmitted += Long.parseLong(parts[4]);
                        m.policyDecisions += Long.parseLong(parts[5]);
                    }
                    case "error" -> {
                        String type = l.substring(l.indexOf(' ', 6) + 1);
                        errors.merge(type, Long.parseLong(parts[1]), Long::sum);
                        myErrors.merge(type, Long.parseLong(parts[1]), Long::sum);
                    }
                    case "reason" -> reasons.add("process " + i + ": " + parts[2] + " " + parts[1]);
                    case "summary" -> {
                        Map<String, Long> summary = new HashMap<>();
                        for (int j = 1; j < parts.length; j++) {
                            String[] kv = parts[j].split("=");
                            summary.put(kv[0], Long.parseLong(kv[1]));
                        }
                        summaries.add(summary);
                    }
                    default -> {
                        // other lines are the worker's own business
                    }
                }
            }
        }
    }

    /** The sum of a summary value over every process. */
    long sum(String name) {
        return summaries.stream().mapToLong(s -> s.getOrDefault(name, 0L)).sum();
    }

    /** The least or greatest positive summary value over every process, -1 when none has one. */
    long extreme(String name, boolean max) {
        return summaries.stream().mapToLong(s -> s.getOrDefault(name, -1L)).filter(v -> v > 0)
                .reduce(max ? Math::max : Math::min).orElse(-1);
    }

    KeyTotals key(String group, String entity) {
        return keys.get(group + " " + entity);
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }

    static String javaExecutable() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
