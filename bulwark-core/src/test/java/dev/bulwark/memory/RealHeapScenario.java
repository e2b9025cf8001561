package dev.bulwark.memory;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Criticality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The real-heap scenario run by {@link RealHeapTest} in a JVM of its own with a 64 MB heap: retain
 * memory past the elevated threshold, collect, see ELEVATED; past the critical one, CRITICAL;
 * release it, NORMAL again. At each step it checks which criticalities the shed stage lets through.
 * Prints one line per step; exits 0 when every step held, 1 with the reason otherwise.
 */
public final class RealHeapScenario {

    static final double ELEVATED_AT = 0.40;
    static final double CRITICAL_AT = 0.65;
    private static final int CHUNK = 64 * 1024;   // small enough not to be humongous in G1

    private static final List<byte[]> RETAINED = new ArrayList<>();
    /** With the argument {@code young}: no {@code System.gc()}, only the collections garbage triggers. */
    private static boolean youngOnly;
    static volatile byte[] sink;

    private RealHeapScenario() {
    }

    public static void main(String[] args) {
        youngOnly = args.length > 0 && args[0].equals("young");
        MemoryConfig config = MemoryConfig.builder().elevatedAt(ELEVATED_AT).criticalAt(CRITICAL_AT).hysteresis(0.05)
                .pollInterval(Duration.ofMillis(200)).build();
        try (Infrastructure infra = Infrastructure.builder().memory(config).build()) {
            Protection shed = Protection.builder().shed().build();
            MemoryMonitor monitor = infra.memory();
            long max = monitor.reading().maxBytes();
            System.out.println("pools: " + monitor.status().source() + ", max " + (max >> 20) + " MB");

            reach(monitor, MemoryPressure.NORMAL);
            expect(infra, shed, "run", "run", "run");

            retainUpTo(max, ELEVATED_AT + 0.08);
            reach(monitor, MemoryPressure.ELEVATED);
            expect(infra, shed, "run", "run", "shed");

            retainUpTo(max, CRITICAL_AT + 0.08);
            reach(monitor, MemoryPressure.CRITICAL);
            expect(infra, shed, "run", "shed", "shed");

            RETAINED.clear();
            reach(monitor, MemoryPressure.NORMAL);
            expect(infra, shed, "run", "run", "run");
            System.out.println("OK");
        } catch (AssertionError | ConditionTimeoutException e) {
            System.out.println("FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Retains chunks until about {@code share} of the heap is held (counting only what we hold). */
    private static void retainUpTo(long max, double share) {
        long target = (long) (share * max);
        long held = (long) RETAINED.size() * CHUNK;
        while (held < target) {
            RETAINED.add(new byte[CHUNK]);
            held += CHUNK;
        }
        System.out.println("retaining " + (held >> 20) + " MB");
    }

    /** Collects until the monitor reports {@code level} (bounded: 10 s). */
    private static void reach(MemoryMonitor monitor, MemoryPressure level) {
        Awaitility.await().atMost(10, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS)
                .alias("memory pressure " + level + " (now " + monitor + ")")
                .until(() -> {
                    if (youngOnly) {
                        for (int i = 0; i < 256; i++) {
                            sink = new byte[CHUNK];   // garbage: young collections follow
                        }
                    } else {
                        System.gc();
                    }
                    return monitor.level() == level;
                });
        System.out.println("level " + level + " at " + monitor.reading());
    }

    private static void expect(Infrastructure infra, Protection shed, String critical, String ordinary, String sheddable) {
        String[] expected = {critical, ordinary, sheddable};
        Criticality[] criticalities = {Criticality.CRITICAL, Criticality.DEFAULT, Criticality.SHEDDABLE};
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < 3; i++) {
            Result<String> result = infra.executeProtected(shed, "user", criticalities[i], () -> "ok");
            String outcome = result.isOk() ? "run" : "shed";
            if (result instanceof Result.Err<String> err) {
                InfraError error = err.error();
                if (error.code() != 7201) {
                    throw new AssertionError(criticalities[i] + " failed with " + error);
                }
            }
            if (!outcome.equals(expected[i])) {
                throw new AssertionError(criticalities[i] + " call: expected " + expected[i] + ", was " + outcome
                        + " at " + infra.memory());
            }
            line.append(criticalities[i].label()).append(' ').append(outcome).append("  ");
        }
        System.out.println(line);
    }
}
