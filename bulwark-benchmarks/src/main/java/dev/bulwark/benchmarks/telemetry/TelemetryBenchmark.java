package dev.bulwark.benchmarks.telemetry;

import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of emitting one event the way components do: {@code if (channel.isActive()) channel.emit(maps)}.
 *
 * <ul>
 *   <li>{@code none}: no handler attached — must be a volatile read and nothing allocated;</li>
 *   <li>{@code sync}: one handler run on the emitting thread (the maps are built, the handler consumes them);</li>
 *   <li>{@code async}: one handler on the dispatcher thread behind a bounded queue (the emitter only enqueues,
 *       or drops and counts when the queue is full).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TelemetryBenchmark {

    @Param({"none", "sync", "async"})
    public String handler;

    private Telemetry telemetry;
    private EventChannel channel;
    private EventName name;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() {
        telemetry = handler.equals("async") ? Telemetry.builder().asynchronous(65_536).build() : Telemetry.create();
        name = telemetry.name(Events.CIRCUIT_BREAKER_CALL_EXECUTED);
        channel = telemetry.channel(name);
        if (!handler.equals("none")) {
            Blackhole sink = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
            telemetry.attach("bench", name, (n, m, md) -> sink.consume(md));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println("dropped events: " + telemetry.droppedEvents());
        telemetry.close();
    }

    /** The component pattern: guard, then build the measurement and metadata maps and emit. */
    @Benchmark
    public void emit() {
        if (channel.isActive()) {
            channel.emit(Map.of("duration_us", ++counter), Map.of("name", "db", "status", "success"));
        }
    }

    /** Emitting by name with prebuilt maps (one hash lookup to find the channel). */
    @Benchmark
    public void executeByName() {
        telemetry.execute(name, PREBUILT_MEASUREMENTS, PREBUILT_METADATA);
    }

    private static final Map<String, Number> PREBUILT_MEASUREMENTS = Map.of("duration_us", 12L);
    private static final Map<String, Object> PREBUILT_METADATA = Map.of("name", "db", "status", "success");
}
