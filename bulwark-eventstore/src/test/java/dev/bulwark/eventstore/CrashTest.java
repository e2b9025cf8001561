package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM writing events through the recorder is killed with SIGKILL ({@code destroyForcibly}) while
 * it writes. The log must open (cutting a torn last record), hold every event the recorder had
 * reported written before the kill (SIGKILL loses nothing that reached the file, whatever the
 * fsync policy: the policy only matters if the machine itself goes down), hold them as an unbroken
 * run 0, 1, 2... with nothing out of place, and every record must be intact.
 *
 * <p>What the kill may lose is what had not been written yet: events in the recorder's queue and
 * the batch being formed, at most {@code queueCapacity + batchSize} (the worker keeps the queue
 * under half full, so at most 2048 + 256 here).
 */
class CrashTest {

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(strings = {"every_batch", "never", "50"})
    void aKilledWriterLosesNothingItHadWrittenAndEveryRecordIsIntact(String fsync) throws Exception {
        process = new ProcessBuilder(javaExecutable(), "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", testClassPath(),
                CrashWorker.class.getName(), dir.toString(), fsync)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        long writtenBeforeKill = 0;
        String line;
        while ((line = out.readLine()) != null) {
            writtenBeforeKill = Long.parseLong(line.substring("written ".length()));
            if (writtenBeforeKill >= 30_000) {
                break;
            }
        }
        process.destroyForcibly();   // SIGKILL on Linux
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(137);

        try (FileEventStore store = FileEventStore.open(dir)) {
            List<StoredEvent> ticks = store.list(EventQuery.builder().namePrefix("foundation.infra.crash.tick").unlimited().build());

            assertThat((long) ticks.size()).as("events reported written before the kill").isGreaterThanOrEqualTo(writtenBeforeKill);
            for (int i = 0; i < ticks.size(); i++) {
                StoredEvent e = ticks.get(i);
                assertThat(e.measurements().get("i")).as("record %d", i).isEqualTo((long) i);
                assertThat(e.metadata()).as("record %d", i).containsEntry("check", CrashWorker.check(i)).containsEntry("name", "worker");
                assertThat(e.component()).isEqualTo("worker");
            }
            assertThat(store.status().corruptRegions()).isZero();
            // the log goes on after recovery
            store.append(List.of(StoredEvent.event(System.currentTimeMillis(), "foundation.infra.crash.after", null, null,
                    java.util.Map.of(), java.util.Map.of())));
            assertThat(store.list(EventQuery.builder().namePrefix("foundation.infra.crash.after").build())).hasSize(1);
        }
    }

    private static String javaExecutable() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
