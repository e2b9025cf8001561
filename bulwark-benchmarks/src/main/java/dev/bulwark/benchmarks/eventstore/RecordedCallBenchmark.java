package dev.bulwark.benchmarks.eventstore;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.eventstore.EventRecorder;
import dev.bulwark.eventstore.FileEventStore;
import dev.bulwark.eventstore.FsyncPolicy;
import dev.bulwark.pipeline.RetryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A protected call (retry → circuit breaker, named protection) with the event recorder installed
 * (file store, fsync every second) and without it:
 *
 * <ul>
 *   <li>{@code success}: every call succeeds; its events ({@code protection_executed},
 *       {@code call_executed}) are routine, so the recorder's handler looks them up and lets them go;</li>
 *   <li>{@code rejected}: the breaker is forced open; every call is refused, and the recorder
 *       enqueues each {@code call_rejected} and {@code protection_executed} (rejected) for the writer
 *       to fold into per-second aggregates. At this rate the writer cannot keep up and the queue
 *       drops (counted); the emitting thread's cost is enqueue or drop, never a wait.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordedCallBenchmark {

    private static final ThrowingSupplier<String> CALL = () -> "ok";

    @Param({"off", "on"})
    public String recorder;

    private Path dir;
    private Infrastructure infra;
    private Infrastructure openInfra;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("bulwark-bench-recorded");
        infra = build(dir.resolve("a"));
        openInfra = build(dir.resolve("b"));
        openInfra.circuitBreakers().disable("bench");
    }

    private Infrastructure build(Path events) {
        Infrastructure.Builder b = Infrastructure.builder();
        if (recorder.equals("on")) {
            b.install(EventRecorder.builder()
                    .fileStore(FileEventStore.builder(events).fsync(FsyncPolicy.every(Duration.ofSeconds(1)))).asModule());
        }
        Infrastructure built = b.build();
        built.configureProtection("search", Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(10)).build())
                .circuitBreaker("bench", CircuitBreakerConfig.builder().failureRate(50, SlidingWindow.ofCalls(100), 100).build())
                .build()).getOrThrow();
        return built;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        infra.close();
        openInfra.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Result<String> success() {
        return infra.executeProtected("search", CALL);
    }

    @Benchmark
    public Result<String> rejected() {
        return openInfra.executeProtected("search", CALL);
    }
}
