package dev.bulwark.redis.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The fleet scenarios, run on a private Redis ({@link FleetBreakerTest}) and on the cluster ({@link ClusterFleetBreakerTest}). */
final class FleetScenarios {

    static final int INSTANCES = 3;
    static final int TRIAL_CALLS = 2;
    static final long OPEN_MS = 1_000;
    static final Duration WITHIN = Duration.ofSeconds(20);

    private FleetScenarios() {
    }

    static List<String> args(String target, FakeDependency dependency, int quorum, long syncMs) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return new ArrayList<>(List.of("target=" + target, "fleet=test-" + run, "prefix=bulwark-test:" + run + ":",
                "quorum=" + quorum, "withinMs=" + WITHIN.toMillis(), "syncMs=" + syncMs, "depPort=" + dependency.port(),
                "openMs=" + OPEN_MS, "trialCalls=" + TRIAL_CALLS, "threads=2"));
    }

    /**
     * The half-open phases of instance 0 that overlap [from, to]: those that began in it, and the one
     * under way at {@code from} (its trial calls may still arrive after {@code from}).
     */
    static int trialRounds(FleetProcesses fleet, long from, long to) {
        List<FleetProcesses.Line> states = fleet.all(0, "state", l -> true);
        int rounds = 0;
        for (int i = 0; i < states.size(); i++) {
            FleetProcesses.Line s = states.get(i);
            if (!s.field(1).equals("half_open") || s.atMillis() > to) {
                continue;
            }
            long end = i + 1 < states.size() ? states.get(i + 1).atMillis() : Long.MAX_VALUE;
            if (end >= from) {
                rounds++;
            }
        }
        return rounds;
    }

    /** Waits until the dependency has seen calls from every instance (the fleet is up and calling). */
    static void awaitTraffic(FakeDependency dependency) {
        long since = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (int i = 0; i < INSTANCES; i++) {
                if (dependency.calls(i, since, Long.MAX_VALUE) < 10) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Quorum of one: instance 0's failures open the other two (measured, < 1 s); while the
     * dependency is down the fleet sends only instance 0's trial calls; when it is back, one round
     * of trials closes instance 0 and the others are released.
     */
    static void oneInstanceOpensTheFleetAndTheFleetSendsOneInstancesTrials(String target, String label) throws Exception {
        try (FakeDependency dependency = new FakeDependency(INSTANCES);
             FleetProcesses fleet = new FleetProcesses(INSTANCES, args(target, dependency, 1, 5_000))) {
            awaitTraffic(dependency);

            long t0 = System.currentTimeMillis();
            dependency.failFor(0, true);
            FleetProcesses.Line trip = fleet.awaitState(0, "open", t0, Duration.ofSeconds(10));
            long[] forcedAfter = new long[INSTANCES];
            for (int i = 1; i < INSTANCES; i++) {
                FleetProcesses.Line forced = fleet.awaitState(i, "disabled", t0, Duration.ofSeconds(10));
                forcedAfter[i] = forced.atMillis() - trip.atMillis();
                fleet.awaitFleetEvent(i, "forced_open", "quorum");
            }
            System.out.printf("fleet (%s): instance 0 opened; instance 1 forced open %d ms later, instance 2 %d ms later "
                    + "(sync interval 5 s: signals, not polling)%n", label, forcedAfter[1], forcedAfter[2]);
            for (int i = 1; i < INSTANCES; i++) {
                assertThat(forcedAfter[i]).as("ms from instance 0's opening to instance " + i + "'s; their lines: "
                        + fleet.lines.get(0) + "\n" + fleet.lines.get(i)).isLessThan(1_000);
            }
            assertThat(fleet.status(0).field(2)).as("instance 0 holds the trial lease").isEqualTo("true");

            // the dependency is down for everyone: the fleet probes it with instance 0's trials only
            long t1 = System.currentTimeMillis();
            dependency.failForAll(true);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> fleet.all(0, "state", l -> l.atMillis() >= t1 && l.field(0).equals("half_open")
                            && l.field(1).equals("open")).size() >= 2);
            long t1End = System.currentTimeMillis();
            int rounds = trialRounds(fleet, t1, t1End);
            long trials = dependency.calls(0, t1, t1End);
            long others = dependency.calls(1, t1, t1End) + dependency.calls(2, t1, t1End);
            System.out.printf("fleet (%s): dependency down: %d trial rounds, %d calls from instance 0, %d from the others%n",
                    label, rounds, trials, others);
            assertThat(others).as("calls from the held instances while the dependency was down").isZero();
            assertThat(trials).as("calls from the fleet in %d trial rounds of %d trial calls", rounds, TRIAL_CALLS)
                    .isPositive().isLessThanOrEqualTo((long) TRIAL_CALLS * rounds);

            // the dependency recovers: one round of trials closes instance 0, the others follow
            long t2 = System.currentTimeMillis();
            dependency.failForAll(false);
            FleetProcesses.Line closed = fleet.awaitState(0, "closed", t2, Duration.ofSeconds(20));
            assertThat(closed.field(2)).isEqualTo("trials_succeeded");
            long[] releasedAfter = new long[INSTANCES];
            for (int i = 1; i < INSTANCES; i++) {
                FleetProcesses.Line released = fleet.awaitState(i, "closed", t2, Duration.ofSeconds(10));
                releasedAfter[i] = released.atMillis() - closed.atMillis();
                assertThat(dependency.calls(i, t2, released.atMillis())).as("calls from instance " + i + " before its release")
                        .isZero();
                fleet.awaitFleetEvent(i, "released", "recovered");
            }
            long recoveryTrials = dependency.calls(0, t2, closed.atMillis() + 1);
            int recoveryRounds = trialRounds(fleet, t2, closed.atMillis());
            System.out.printf("fleet (%s): dependency back: %d trial calls reached it in %d trial round(s) before instance 0 "
                    + "closed; instance 1 released %d ms after, instance 2 %d ms after%n", label, recoveryTrials,
                    recoveryRounds, releasedAfter[1], releasedAfter[2]);
            assertThat(recoveryTrials).as("trial calls of %d recovering round(s)", recoveryRounds)
                    .isLessThanOrEqualTo((long) TRIAL_CALLS * recoveryRounds);
            for (int i = 1; i < INSTANCES; i++) {
                assertThat(releasedAfter[i]).as("ms from the recovery to instance " + i + "'s release").isLessThan(1_000);
            }
        }
    }
}
