package dev.bulwark.redis.fleet;

import static dev.bulwark.redis.fleet.FleetScenarios.INSTANCES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Fleet breaker signals with three JVMs (each an {@code Infrastructure} with the fleet module and a
 * breaker on a {@link FakeDependency} the test controls) on a Redis of the test's own, which one
 * test kills by its PID: the quorum rule forces the others open within a second; the fleet sends a
 * recovering dependency one instance's trial calls per round; a quorum of two ignores one bad
 * instance; with Redis gone, each breaker acts alone.
 */
class FleetBreakerTest {

    @Test
    void oneInstancesFailuresOpenTheOthersAndTheFleetSendsOnlyOneInstancesTrials() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start()) {
            FleetScenarios.oneInstanceOpensTheFleetAndTheFleetSendsOneInstancesTrials(redis.uri(), "single node");
        }
    }

    @Test
    void aQuorumOfTwoIgnoresOneBadInstanceAndForcesTheRestOnceASecondOneOpens() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             FakeDependency dependency = new FakeDependency(INSTANCES);
             FleetProcesses fleet = new FleetProcesses(INSTANCES, FleetScenarios.args(redis.uri(), dependency, 2, 200))) {
            FleetScenarios.awaitTraffic(dependency);

            long t0 = System.currentTimeMillis();
            dependency.failFor(0, true);
            fleet.awaitState(0, "open", t0, Duration.ofSeconds(10));
            // the others see instance 0's opening (one open instance in their status) and stay closed
            for (int i = 1; i < INSTANCES; i++) {
                int instance = i;
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> fleet.status(instance).field(4).equals("1"));
                FleetProcesses.Line status = fleet.status(i);
                assertThat(status.field(0)).as("instance " + i + " coordination").isEqualTo("FOLLOWING");
                assertThat(status.field(1)).as("instance " + i + " state").isEqualTo("CLOSED");
            }

            long t1 = System.currentTimeMillis();
            dependency.failFor(1, true);
            FleetProcesses.Line second = fleet.awaitState(1, "open", t1, Duration.ofSeconds(10));
            FleetProcesses.Line forced = fleet.awaitState(2, "disabled", t1, Duration.ofSeconds(10));
            System.out.printf("fleet (quorum of 2): instance 1 opened second; instance 2 forced open %d ms later%n",
                    forced.atMillis() - second.atMillis());
            assertThat(forced.atMillis() - second.atMillis()).isLessThan(1_000);
            assertThat(fleet.status(2).field(0)).isEqualTo("HELD_BY_QUORUM");
            // instance 1 opened on its own while instance 0 holds the trial lease: it holds for 0's trials
            fleet.awaitState(1, "disabled", t1, Duration.ofSeconds(10));
            assertThat(fleet.status(1).field(0)).isEqualTo("HELD_FOR_TRIAL");
            assertThat(fleet.status(0).field(2)).as("instance 0 holds the trial lease").isEqualTo("true");
        }
    }

    @Test
    void withRedisKilledTheHeldBreakersAreReleasedAndEachActsAlone() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             FakeDependency dependency = new FakeDependency(INSTANCES);
             FleetProcesses fleet = new FleetProcesses(INSTANCES, FleetScenarios.args(redis.uri(), dependency, 1, 200))) {
            FleetScenarios.awaitTraffic(dependency);
            long t0 = System.currentTimeMillis();
            dependency.failFor(0, true);
            fleet.awaitState(0, "open", t0, Duration.ofSeconds(10));
            for (int i = 1; i < INSTANCES; i++) {
                fleet.awaitState(i, "disabled", t0, Duration.ofSeconds(10));
            }

            long killedAt = System.currentTimeMillis();
            redis.kill();
            for (int i = 1; i < INSTANCES; i++) {
                FleetProcesses.Line released = fleet.awaitState(i, "closed", killedAt, Duration.ofSeconds(10));
                System.out.printf("fleet: Redis killed; instance %d released %d ms later (sync interval 200 ms)%n", i,
                        released.atMillis() - killedAt);
                fleet.awaitFleetEvent(i, "released", "redis_unreachable");
            }
            for (int i = 0; i < INSTANCES; i++) {
                int instance = i;   // each instance finds out at its own sync, two intervals after its last answer
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> fleet.status(instance).field(0).equals("LOCAL_ONLY"));
                assertThat(fleet.status(i).field(5)).as("instance " + i + " Redis reachable").isEqualTo("false");
            }

            // every breaker now trips and probes on its own: each instance sends trials of its own
            long t1 = System.currentTimeMillis();
            dependency.failForAll(true);
            for (int i = 0; i < INSTANCES; i++) {
                FleetProcesses.Line halfOpen = fleet.awaitState(i, "half_open", t1, Duration.ofSeconds(20));
                int instance = i;
                await().atMost(Duration.ofSeconds(10)).until(() -> dependency.calls(instance, halfOpen.atMillis() - 5,
                        Long.MAX_VALUE) > 0);
            }
            for (int i = 1; i < INSTANCES; i++) {
                int instance = i;
                assertThat(fleet.first(i, "state", l -> l.atMillis() >= t1 && l.field(0).equals("closed")
                        && l.field(1).equals("open") && !l.field(2).equals("manual")))
                        .as("instance " + instance + " opened on its own failures").isPresent();
            }
        }
    }
}
