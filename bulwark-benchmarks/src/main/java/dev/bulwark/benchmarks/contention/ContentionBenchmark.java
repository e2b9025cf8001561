package dev.bulwark.benchmarks.contention;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two mechanisms changed on the contended paths, each isolated beside what it replaced so that
 * both variants run in one JMH run (on a shared, loaded machine only such A/B pairs can decide).
 *
 * <p><b>The hot key's slot.</b> One
 * slot whose control word is locked by a CAS, whose two state words (a sliding window's start and
 * counts) are then updated, and whose lock is released by a release store, as {@code KeyTable}
 * does for a hot key. Run with 1, 2, 4 and 8 threads (all on the one slot).
 *
 * <ul>
 *   <li>{@code split}: the control word in an {@code int[]} and the state in a {@code long[]}, each
 *       array padded so that they sit on different cache lines (the layout of {@code KeyTable});</li>
 *   <li>{@code together}: the control word and the state in one {@code long[]}, neighbours on one
 *       line (evaluated on 2026-12-02 and not kept: spinners then pull the state's line away from
 *       the holder in the middle of its update, and it costs 8 bytes more per key);</li>
 *   <li>{@code splitParking}: the split layout whose waiters, after a hundred spins and ten
 *       yields, park for 1 µs doubling to 64 µs, so that a descheduled holder gets a core back.</li>
 * </ul>
 *
 * <p><b>The closed breaker's call count.</b> {@code sequenceCounter}: every call takes the next
 * position of one shared counter ({@code getAndIncrement}), as a breaker with a count window must;
 * {@code stripedCounter}: a {@link LongAdder}, as a breaker with time windows only now counts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ContentionBenchmark {

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD = 16; // 64 bytes of longs on either side
    private static final int FULL = 1;
    private static final int LOCK = 4;

    /** The split layout: ctrl[PAD] and words[PAD], PAD..PAD+1, with padding around both. */
    private final int[] ctrl = new int[2 * PAD + 1];
    private final long[] words = new long[2 * PAD + 2];
    /** The shared layout: cells[PAD] is the control word, cells[PAD + 1..2] the state. */
    private final long[] cells = new long[2 * PAD + 3];

    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder striped = new LongAdder();

    {
        ctrl[PAD] = FULL;
        cells[PAD] = FULL;
    }

    /** After a hundred spins, sleeps briefly (the lock's holder may have been descheduled). */
    private static void spinThenPark(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else if (spins < 110) {
            Thread.yield();
        } else {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000L << Math.min(spins - 110, 6));
        }
    }

    private static void spin(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    @Benchmark
    public long split() {
        int spins = 0;
        while (!INTS.compareAndSet(ctrl, PAD, FULL, FULL | LOCK)) {
            spin(++spins);
        }
        long n = words[PAD + 1] + 1;
        words[PAD] = 42L;
        words[PAD + 1] = n;
        INTS.setRelease(ctrl, PAD, FULL);
        return n;
    }

    @Benchmark
    public long splitParking() {
        int spins = 0;
        while (!INTS.compareAndSet(ctrl, PAD, FULL, FULL | LOCK)) {
            spinThenPark(++spins);
        }
        long n = words[PAD + 1] + 1;
        words[PAD] = 42L;
        words[PAD + 1] = n;
        INTS.setRelease(ctrl, PAD, FULL);
        return n;
    }

    @Benchmark
    public long together() {
        int spins = 0;
        while (!LONGS.compareAndSet(cells, PAD, (long) FULL, (long) (FULL | LOCK))) {
            spin(++spins);
        }
        long n = cells[PAD + 2] + 1;
        cells[PAD + 1] = 42L;
        cells[PAD + 2] = n;
        LONGS.setRelease(cells, PAD, (long) FULL);
        return n;
    }

    @Benchmark
    public long sequenceCounter() {
        return sequence.getAndIncrement();
    }

    @Benchmark
    public void stripedCounter() {
        striped.increment();
    }
}
