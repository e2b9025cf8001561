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
 * A protected call through a named protection with the event recorder installed (file store,
 * fsync every second: {@code on}; the same taking in the per-call events: {@code on_call_outcomes})
 * and without it ({@code off}):
 *
 * <ul>
 *   <li>{@code success}: retry → breaker, every call succeeds. With {@code on} the recorder is not
 *       subscribed to the per-call events, so their channels stay inactive; with
 *       {@code on_call_outcomes} the emitter builds {@code call_executed} and {@code protection_executed}
 *       and the recorder's handler looks them up and lets the successes go;</li>
 *   <li>{@code rejected}: breaker only, forced open; every call is refused and the recorder enqueues
 *       each {@code call_rejected} for the writer to fold into per-second aggregates. At this rate the
 *       writer cannot keep up and the queue drops (counted): the emitting thread's cost is an enqueue
 *       or a drop, never a wait.</li>
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

    @Param({"off", "on", "on_call_outcomes"})
    public String recorder;

    private Path dir;
    private Infrastructure infra;
    private Infrastructure openInfra;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("bulwark-bench-recorded");
        infra = build(dir.resolve("a"), true);
        openInfra = build(dir.resolve("b"), false);
        openInfra.circuitBreakers().disable("bench");
    }

    private Infrastructure build(Path events, boolean withRetry) {
        Infrastructure.Builder b = Infrastructure.builder();
        if (!recorder.equals("off")) {
            EventRecorder.Builder r = EventRecorder.builder()
                    .fileStore(FileEventStore.builder(events).fsync(FsyncPolicy.every(Duration.ofSeconds(1))));
            if (recorder.equals("on_call_outcomes")) {
                r.keepCallOutcomes();
            }
            b.install(r.asModule());
        }
        Infrastructure built = b.build();
        Protection.Builder p = Protection.builder();
        if (withRetry) {
            p.retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(10)).build());
        }
        built.configureProtection("search", p
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
