package dev.bulwark.benchmarks.health;

import dev.bulwark.Infrastructure;
import dev.bulwark.health.Health;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthReport;
import java.time.Duration;
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

/**
 * The latency of a readiness probe, {@code infra.health().readiness()}, with 50 registered checks
 * (besides core's own), on the system clock and the infrastructure's default executor, as a
 * Kubernetes probe would call it. With {@code slowCheck=true} one of the 50 takes 2 s every time
 * it runs (timeout 5 s, so it finishes rather than times out); the others answer at once. All use
 * the default TTL of 2 s, so during the measurement each check runs again every 2 s, started by
 * whichever probe finds its result stale.
 *
 * <p>JMH's sample mode reports the distribution: the target is p99 under 1 ms once warm. A probe
 * never waits for a check, so the slow check must not show in it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadinessProbeBenchmark {

    static final int CHECKS = 50;

    @Param({"false", "true"})
    public boolean slowCheck;

    private Infrastructure infra;

    @Setup(Level.Trial)
    public void setUp() {
        infra = Infrastructure.builder().build();
        for (int i = 0; i < CHECKS - 1; i++) {
            int n = i;
            infra.health().register("dependency_" + n, () -> Health.up().withDetail("n", n));
        }
        if (slowCheck) {
            infra.health().register("slow_dependency", () -> {
                Thread.sleep(2_000);
                return Health.up();
            }, HealthCheckConfig.of(Duration.ofSeconds(5), HealthCheckConfig.defaults().ttl()));
        } else {
            infra.health().register("dependency_49", Health::up);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        infra.close();
    }

    @Benchmark
    public HealthReport readiness() {
        return infra.health().readiness();
    }
}
