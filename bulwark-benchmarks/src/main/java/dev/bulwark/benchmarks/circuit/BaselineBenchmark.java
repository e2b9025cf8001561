package dev.bulwark.benchmarks.circuit;

import dev.bulwark.time.TickingClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under the breaker figures on the machine at hand: one monotonic clock read (what a
 * time window or an open breaker must pay per call) and one exact concurrent counter increment
 * (what counting a success or a rejection costs). Run it beside the breaker benchmarks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BaselineBenchmark {

    private final LongAdder counter = new LongAdder();
    private TickingClock tickingClock;

    @Setup
    public void setUp() {
        tickingClock = TickingClock.start(Duration.ofMillis(1));
    }

    @TearDown
    public void tearDown() {
        tickingClock.close();
    }

    @Benchmark
    public long clockRead() {
        return System.nanoTime();
    }

    /** What a clock read costs on a {@link TickingClock}. */
    @Benchmark
    public long tickingClockRead() {
        return tickingClock.nanoTime();
    }

    @Benchmark
    public void counterIncrement() {
        counter.increment();
    }
}
