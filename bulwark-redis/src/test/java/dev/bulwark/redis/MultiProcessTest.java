package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A limit holds for a fleet: three separate JVMs with four threads each acquire on the same keys at
 * the same time, and the admitted total is exactly what the algorithm allows for the run, no more.
 * The window is a day, so during the run no unit is refilled: the bound is exact (and for the fixed
 * window, which aligns on the server clock, twice the limit if the run happens to cross midnight UTC).
 * A day-long window of 50 goes to the exact script, which is never batched; the run is repeated with
 * a window of an hour, which the fast script decides, with one batch in flight per process so that
 * each process's four threads share batches. (In an hour a unit refills every 72 s, longer than a
 * run; a run crossing the hour may see the sliding window admit one more.)
 */
@RequiresRedis
class MultiProcessTest {

    private static final int PROCESSES = 3;
    private static final int THREADS = 4;
    private static final int ATTEMPTS = 40;
    private static final long LIMIT = 50;

    private TestRedis redis;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
    }

    @AfterEach
    void tearDown() {
        processes.forEach(Process::destroyForcibly);
        redis.close();
    }

    @ParameterizedTest(name = "window {0}, {1} batches in flight")
    @CsvSource({"PT24H, 4", "PT1H, 1"})
    void severalProcessesTogetherAdmitExactlyWhatTheAlgorithmAllows(Duration window, int batchesInFlight)
            throws Exception {
        List<BufferedReader> outputs = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Process p = new ProcessBuilder(javaExecutable(), "-XX:TieredStopAtLevel=1",
                    "-Djava.util.logging.config.file=" + System.getProperty("java.util.logging.config.file", ""),
                    "-cp", testClassPath(),
                    MultiProcessWorker.class.getName(), RedisAvailability.URI, redis.prefix(), Long.toString(LIMIT),
                    Long.toString(window.toMillis()), Integer.toString(THREADS), Integer.toString(ATTEMPTS),
                    Integer.toString(batchesInFlight))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            processes.add(p);
            outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }
        for (BufferedReader out : outputs) {
            assertThat(out.readLine()).as("worker started").isEqualTo("ready");
        }
        long windowBefore = serverWindow(window);
        for (Process p : processes) {
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            in.write("go\n");
            in.flush();
        }

        Map<Algorithm, Long> admitted = new EnumMap<>(Algorithm.class);
        long batchCalls = 0;
        long batchedRequests = 0;
        for (int i = 0; i < PROCESSES; i++) {
            assertThat(processes.get(i).waitFor(90, TimeUnit.SECONDS)).as("worker " + i + " finished").isTrue();
            assertThat(processes.get(i).exitValue()).as("worker " + i + " exit code").isZero();
            String line;
            while ((line = outputs.get(i).readLine()) != null && !line.equals("done")) {
                String[] parts = line.split(" ");
                if (parts[0].equals("batched")) {
                    batchCalls += Long.parseLong(parts[1]);
                    batchedRequests += Long.parseLong(parts[2]);
                    continue;
                }
                admitted.merge(Algorithm.valueOf(parts[1]), Long.parseLong(parts[2]), Long::sum);
            }
        }
        if (batchesInFlight == 1) {
            assertThat(batchCalls).as("script calls for %d batched decisions", batchedRequests)
                    .isPositive().isLessThan(batchedRequests);
        }
        boolean crossedBoundary = serverWindow(window) != windowBefore;

        assertThat(admitted.get(Algorithm.FIXED_WINDOW)).isEqualTo(crossedBoundary ? 2 * LIMIT : LIMIT);
        if (crossedBoundary) {
            assertThat(admitted.get(Algorithm.SLIDING_WINDOW)).isBetween(LIMIT, LIMIT + 1);
        } else {
            assertThat(admitted.get(Algorithm.SLIDING_WINDOW)).isEqualTo(LIMIT);
        }
        assertThat(admitted.get(Algorithm.TOKEN_BUCKET)).isEqualTo(LIMIT);
        assertThat(admitted.get(Algorithm.GCRA)).isEqualTo(LIMIT);
        // the leaky bucket admits one unit per window / limit (29 minutes or 72 s), bursts never
        assertThat(admitted.get(Algorithm.LEAKY_BUCKET)).isEqualTo(1);
    }

    private long serverWindow(Duration window) {
        return Long.parseLong(redis.commands().time().get(0)) / window.toSeconds();
    }

    private static String javaExecutable() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
