package dev.bulwark.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The memory monitor and the shed stage on a real heap: {@link RealHeapScenario} in a forked JVM
 * with {@code -Xmx64m}, with G1 and with the Parallel collector (they name and update their pools
 * differently), collecting with {@code System.gc()}; and once more with G1 and only the young
 * collections that garbage triggers: G1 updates its old gen's collection usage only after a full
 * collection, so this run shows that the level follows the GC notifications. A few seconds each.
 */
class RealHeapTest {

    @ParameterizedTest(name = "{0}, {1} collections")
    @CsvSource({"-XX:+UseG1GC, full", "-XX:+UseParallelGC, full", "-XX:+UseG1GC, young"})
    void retainingMemoryRaisesTheLevelAfterACollectionAndReleasingItBringsItBack(String collector, String collections)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx64m", "-Xms64m", collector,
                "-cp", System.getProperty("java.class.path"), RealHeapScenario.class.getName(), collections))
                .redirectErrorStream(true)
                .start();
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("the scenario ended within 60 s:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("exit value; output:%n%s", output).isZero();
        assertThat(output).contains(
                "level NORMAL", "critical run  default run  sheddable run",
                "level ELEVATED", "critical run  default run  sheddable shed",
                "level CRITICAL", "critical run  default shed  sheddable shed",
                "OK");
        assertThat(output.indexOf("level CRITICAL")).isGreaterThan(output.indexOf("level ELEVATED"));
        assertThat(output.lastIndexOf("level NORMAL")).isGreaterThan(output.indexOf("level CRITICAL"));
    }
}
