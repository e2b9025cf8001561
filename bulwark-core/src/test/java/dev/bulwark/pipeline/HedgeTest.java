package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.Stats;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.spi.Slot;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HedgeTest {

    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static HedgeConfig.Builder hedge() {
        return HedgeConfig.builder().idempotent();
    }

    /** Drives the clock from task to task until {@code f} is done (everything runs on this thread). */
    private <T> T drive(CompletableFuture<T> f) {
        for (int steps = 0; !f.isDone(); steps++) {
            if (steps > 100_000 || !clock.advanceToNextTask()) {
                throw new AssertionError("the call did not complete and nothing is scheduled");
            }
        }
        return f.join();
    }

    // ---------------------------------------------------------------- the tail

    /** 1 % of calls are 100× slower: 1.0–1.5 ms, or 100–150 ms. Deterministic per call number. */
    private static long heavyTail(int n) {
        long h = mix(n * 0x9E3779B97F4A7C15L + 42);
        long base = MS + Math.floorMod(h >>> 8, 500_000L);
        return Math.floorMod(h, 100L) == 0 ? 100 * base : base;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record TailRun(long[] latencies, ClockedDependency dependency, Stats breaker, HedgeStats hedge,
                           List<String> undeclared) {
        long percentile(double p) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.ceil(p / 100 * sorted.length) - 1];
        }
    }

    private TailRun runTail(HedgeConfig config, int calls) {
        ManualClock time = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(time).executor(Runnable::run).build();
             TelemetryCapture events = TelemetryCapture.under(infra.telemetry(),
                     infra.telemetry().prefix().append("hedge"))) {
            ClockedDependency dependency = new ClockedDependency(time, HedgeTest::heavyTail);
            Protection.Builder b = Protection.builder().name("tail").circuitBreaker("tail", CircuitBreakerConfig.defaults());
            if (config != null) {
                b.hedge(config);
            }
            infra.configureProtection("tail", b.build());
            long[] latencies = new long[calls];
            for (int i = 0; i < calls; i++) {
                long begin = time.elapsed().toNanos();
                CompletableFuture<Result<String>> f = infra.<String>executeProtectedAsync("tail", dependency::async)
                        .toCompletableFuture();
                for (int steps = 0; !f.isDone(); steps++) {
                    if (steps > 1000 || !time.advanceToNextTask()) {
                        throw new AssertionError("call " + i + " does not progress");
                    }
                }
                if (!f.join().isOk()) {
                    throw new AssertionError("call " + i + " failed: " + f.join());
                }
                latencies[i] = time.elapsed().toNanos() - begin;
            }
            time.advance(Duration.ofSeconds(1)); // the losers' ends come and go
            var status = infra.protectionStatus("tail").getOrThrow();
            return new TailRun(latencies, dependency, infra.circuitBreakers().get("tail").orElseThrow().stats(),
                    status.stage(Slot.HEDGE, HedgeStats.class), events.undeclared());
        }
    }

    @Test
    void hedgingAtTheP97CutsP999OfAHeavyTailByOverNinetyPercentForUnderFivePercentExtraAttempts() {
        int calls = 20_000;
        TailRun plain = runTail(null, calls);
        TailRun hedged = runTail(hedge().delayAtPercentile(97, Duration.ofMillis(5))
                .latencyWindow(Duration.ofSeconds(10)).build(), calls);

        long before = plain.percentile(99.9);
        long after = hedged.percentile(99.9);
        assertThat(before).as("unhedged p99.9: the slow 1 %").isGreaterThan(100 * MS);
        assertThat(after).as("hedged p99.9 (unhedged %d ms)", before / MS).isLessThanOrEqualTo(before / 10);

        double extra = (hedged.dependency.calls() - calls) / (double) calls;
        assertThat(extra).as("extra attempts per call").isLessThanOrEqualTo(0.05).isGreaterThan(0.005);
        assertThat(hedged.hedge.extraAttempts()).isEqualTo(hedged.dependency.calls() - calls);
        assertThat(hedged.hedge.delay()).as("the p97 estimate, above every fast call")
                .isBetween(Duration.ofNanos(1_400_000), Duration.ofNanos(1_700_000));

        // the breaker inside counted each attempt exactly once; the losers were cancelled, not failed
        Stats breaker = hedged.breaker;
        assertThat(breaker.okCount() + breaker.meltCount() + breaker.ignoredCount())
                .isEqualTo(hedged.dependency.calls());
        assertThat(breaker.meltCount()).isZero();
        assertThat(breaker.ignoredCount()).isEqualTo(hedged.dependency.cancelled());
        assertThat(breaker.okCount()).isEqualTo(calls);
        assertThat(hedged.dependency.cancelled()).as("every call had one winner; the others were cancelled")
                .isEqualTo(hedged.dependency.calls() - calls);
        assertThat(hedged.dependency.lateAnswers()).isEqualTo(hedged.dependency.cancelled());
        assertThat(hedged.undeclared).isEmpty();
    }

    // ---------------------------------------------------------------- budget

    @Test
    void theBudgetCapsExtraAttemptsWhenTheWholeDependencyIsSlowThenHedgingResumes() {
        Hedge h = Hedge.of("slow", hedge().delay(Duration.ofMillis(2)).budget(0.1, 5).build(),
                TestContexts.direct(clock, telemetry));
        boolean[] slow = {true};
        ClockedDependency dependency = new ClockedDependency(clock, n -> slow[0] ? 50 * MS : MS);
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            for (int i = 0; i < 1000; i++) {
                assertThat(drive(h.executeAsync(dependency::async).toCompletableFuture()).isOk()).isTrue();
            }
            HedgeStats stats = h.stats();
            assertThat(stats.extraAttempts()).as("burst + ratio × calls").isLessThanOrEqualTo(5 + 100);
            assertThat(stats.extraAttempts()).isGreaterThanOrEqualTo(100);
            assertThat(stats.budgetRefusals()).isEqualTo(1000 - stats.extraAttempts());
            assertThat(events.count(Events.HEDGE_BUDGET_EXHAUSTED)).isEqualTo((int) stats.budgetRefusals());
            assertThat(events.named(Events.HEDGE_BUDGET_EXHAUSTED).get(0).measurements()).containsEntry("attempt", 2);
            assertThat(events.count(Events.HEDGE_ATTEMPT_STARTED)).isEqualTo((int) stats.extraAttempts());
            assertThat(events.undeclared()).isEmpty();

            // the dependency is fast again: calls refill the budget, and a slow call is hedged again
            slow[0] = false;
            for (int i = 0; i < 100; i++) {
                drive(h.executeAsync(dependency::async).toCompletableFuture());
            }
            assertThat(h.stats().budgetTokens()).isEqualTo(5.0);
            long extraBefore = h.stats().extraAttempts();
            slow[0] = true;
            drive(h.executeAsync(dependency::async).toCompletableFuture());
            assertThat(h.stats().extraAttempts()).isEqualTo(extraBefore + 1);
        }
    }

    // ---------------------------------------------------------------- winners and losers (async)

    @Test
    void theFirstSuccessWinsTheLoserIsCancelledAndItsLateAnswerIgnored() {
        Hedge h = Hedge.of("race", hedge().delay(Duration.ofMillis(10)).build(), TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> n == 0 ? 100 * MS : 5 * MS);

        Result<String> result = drive(h.executeAsync(dependency::async).toCompletableFuture());

        assertThat(result).isEqualTo(Result.ok("r1"));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(15));
        assertThat(dependency.startTimes()).containsExactly(0L, 10 * MS);
        assertThat(dependency.cancelled()).isEqualTo(1);
        clock.advance(Duration.ofMillis(200));
        assertThat(dependency.lateAnswers()).isEqualTo(1);
        assertThat(h.stats()).extracting(HedgeStats::calls, HedgeStats::hedgedCalls, HedgeStats::extraAttempts,
                HedgeStats::wonByHedge).containsExactly(1L, 1L, 1L, 1L);
    }

    @Test
    void anAttemptAnsweringBeforeTheDelayStartsNoOtherAndLeavesNoTimer() {
        Hedge h = Hedge.of("fast", hedge().delay(Duration.ofMillis(10)).build(), TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> 3 * MS);

        assertThat(drive(h.executeAsync(dependency::async).toCompletableFuture())).isEqualTo(Result.ok("r0"));
        assertThat(clock.pendingTasks()).as("the hedge's timer was cancelled").isZero();
        assertThat(h.executeAsync(() -> CompletableFuture.completedFuture("cached")).toCompletableFuture().join())
                .isEqualTo(Result.ok("cached"));
        assertThat(clock.pendingTasks()).as("an answer at once arms no timer").isZero();
        assertThat(dependency.calls()).isEqualTo(1);
        assertThat(h.stats().extraAttempts()).isZero();
    }

    @Test
    void upToMaxAttemptsStartOneDelayApartWithAnEventEach() {
        Hedge h = Hedge.of("three", hedge().delay(Duration.ofMillis(10)).maxAttempts(3).build(),
                TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> n < 2 ? 100 * MS : 4 * MS);
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            assertThat(drive(h.executeAsync(dependency::async).toCompletableFuture())).isEqualTo(Result.ok("r2"));
            assertThat(dependency.startTimes()).containsExactly(0L, 10 * MS, 20 * MS);
            assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(24));
            assertThat(events.named(Events.HEDGE_ATTEMPT_STARTED)).extracting(e -> e.measurements().get("attempt"))
                    .containsExactly(2, 3);
            assertThat(events.named(Events.HEDGE_ATTEMPT_STARTED)).extracting(e -> e.measurements().get("delay_ms"))
                    .containsExactly(10.0, 20.0);
            assertThat(dependency.cancelled()).isEqualTo(2);
        }
    }

    @Test
    void cancellingTheCallCancelsEveryAttemptAndStopsHedging() {
        Hedge h = Hedge.of("cancel", hedge().delay(Duration.ofMillis(10)).maxAttempts(3).build(),
                TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> 100 * MS);
        CompletableFuture<Result<String>> call = h.executeAsync(dependency::async).toCompletableFuture();
        clock.advance(Duration.ofMillis(15));
        assertThat(dependency.calls()).isEqualTo(2);

        call.cancel(true);

        assertThat(dependency.cancelled()).isEqualTo(2);
        clock.advance(Duration.ofMillis(500));
        assertThat(dependency.calls()).as("no third attempt after the cancellation").isEqualTo(2);
    }

    // ---------------------------------------------------------------- failures

    @Test
    void whenEveryAttemptFailsTheResultIs7301WithTheFirstFailureAsCause() {
        Hedge h = Hedge.of("failing", hedge().delay(Duration.ofMillis(10)).build(), TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> n == 0 ? 30 * MS : 5 * MS, n -> true);

        Result<String> result = drive(h.executeAsync(dependency::async).toCompletableFuture());

        InfraError error = ((Result.Err<String>) result).error();
        assertThat(error.code()).isEqualTo(CoreErrorCode.HEDGE_FAILED.code());
        assertThat(error.context()).containsEntry("attempts", 2).containsEntry("first_error_code", 5003);
        assertThat(error.cause()).hasMessageContaining("failure of call 1"); // the hedge failed first, at 15 ms
        assertThat(error.isRetryable()).as("the first failure's retry strategy").isTrue();
        assertThat(clock.elapsed()).as("the call waited for the last attempt").isEqualTo(Duration.ofMillis(30));
        assertThat(h.stats().allFailed()).isEqualTo(1);
    }

    @Test
    void aSingleAttemptThatFailsBeforeTheDelayKeepsItsErrorAndStartsNoHedge() {
        Hedge h = Hedge.of("fast-failure", hedge().delay(Duration.ofMillis(10)).build(),
                TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> 2 * MS, n -> true);

        Result<String> result = drive(h.executeAsync(dependency::async).toCompletableFuture());

        assertThat(((Result.Err<String>) result).error().code()).isEqualTo(CoreErrorCode.PROTECTED_OPERATION_FAILED.code());
        clock.advance(Duration.ofMillis(50));
        assertThat(dependency.calls()).isEqualTo(1);
        assertThat(h.stats().allFailed()).isZero();
    }

    @Test
    void aFailedHedgeLeavesTheFirstAttemptRunningAndItsSuccessWins() {
        Hedge h = Hedge.of("mixed", hedge().delay(Duration.ofMillis(10)).build(), TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> n == 0 ? 40 * MS : MS, n -> n == 1);

        assertThat(drive(h.executeAsync(dependency::async).toCompletableFuture())).isEqualTo(Result.ok("r0"));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(40));
        assertThat(dependency.calls()).as("a failure starts no attempt").isEqualTo(2);
    }

    // ---------------------------------------------------------------- through the pipeline: the breaker

    @Test
    void throughAProtectionABreakerCountsEachAttemptOnceSyncAndAsync() throws Exception {
        try (Infrastructure infra = Infrastructure.builder().clock(clock).executor(pool).build()) {
            Protection p = Protection.builder()
                    .hedge(hedge().delay(Duration.ofMillis(10)).maxAttempts(3).build())
                    .circuitBreaker("dep", CircuitBreakerConfig.defaults())
                    .build();
            ClockedDependency dependency = new ClockedDependency(clock, n -> n % 3 == 2 ? 2 * MS : 100 * MS);
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Result<String>> call = CompletableFuture.supplyAsync(
                        () -> infra.executeProtected(p, dependency::sync), pool);
                int base = 3 * i;
                await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 1 && dependency.calls() == base + 1);
                clock.advance(Duration.ofMillis(10));
                await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 2);
                clock.advance(Duration.ofMillis(10));
                await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 3);
                clock.advance(Duration.ofMillis(2));
                assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(Result.ok("r" + (base + 2)));
                await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 0);
            }
            assertThat(dependency.interrupted()).as("both losers of each call were interrupted").isEqualTo(6);
            Stats breaker = infra.circuitBreakers().get("dep").orElseThrow().stats();
            assertThat(breaker.okCount()).isEqualTo(3);
            assertThat(breaker.ignoredCount()).as("an interrupted loser is ignored, not a failure").isEqualTo(6);
            assertThat(breaker.meltCount()).isZero();
        }
    }

    // ---------------------------------------------------------------- synchronous

    @Test
    void syncLosersAreInterruptedAndTheirThreadsLeftWithoutTheInterrupt() throws Exception {
        ExecutorService attempts = Executors.newFixedThreadPool(2);
        try {
            Hedge h = Hedge.of("sync", hedge().delay(Duration.ofMillis(10)).build(),
                    TestContexts.on(clock, telemetry, attempts));
            ClockedDependency dependency = new ClockedDependency(clock, n -> n == 0 ? 100 * MS : 5 * MS);
            CompletableFuture<Result<String>> call = CompletableFuture.supplyAsync(() -> h.execute(dependency::sync), pool);
            await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 1);
            clock.advance(Duration.ofMillis(10));
            await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 2);
            clock.advance(Duration.ofMillis(5));

            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(Result.ok("r1"));
            await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.interrupted() == 1);

            // both pool threads run a task now: neither carries an interrupt left over by the hedge
            CountDownLatch both = new CountDownLatch(2);
            AtomicBoolean anyInterrupted = new AtomicBoolean();
            for (int i = 0; i < 2; i++) {
                attempts.execute(() -> {
                    anyInterrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
                    both.countDown();
                    try {
                        both.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        anyInterrupted.set(true);
                    }
                });
            }
            assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(anyInterrupted).isFalse();
        } finally {
            attempts.shutdownNow();
        }
    }

    @Test
    void syncCallerGetsTheHedgesAnswerEvenWhenTheFirstAttemptIgnoresInterrupts() throws Exception {
        Hedge h = Hedge.of("stubborn", hedge().delay(Duration.ofMillis(10)).build(), TestContexts.on(clock, telemetry, pool));
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        int[] n = {0};
        IntFunction<String> attempt = i -> {
            if (i == 0) {
                firstStarted.countDown();
                while (true) { // a blocking client that does not answer interrupts
                    try {
                        releaseFirst.await();
                        return "late";
                    } catch (InterruptedException ignored) {
                        // keeps waiting
                    }
                }
            }
            return "hedge";
        };
        CompletableFuture<Result<String>> call = CompletableFuture.supplyAsync(() -> h.execute(() -> {
            int i;
            synchronized (n) {
                i = n[0]++;
            }
            return attempt.apply(i);
        }), pool);
        assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMillis(10));

        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(Result.ok("hedge"));
        releaseFirst.countDown();
    }

    @Test
    void anInterruptedSyncCallerInterruptsEveryAttemptAndGets5012() throws Exception {
        Hedge h = Hedge.of("interrupted", hedge().delay(Duration.ofMillis(10)).build(),
                TestContexts.on(clock, telemetry, pool));
        ClockedDependency dependency = new ClockedDependency(clock, n -> 100 * MS);
        CompletableFuture<Thread> callerThread = new CompletableFuture<>();
        CompletableFuture<Result<String>> call = CompletableFuture.supplyAsync(() -> {
            callerThread.complete(Thread.currentThread());
            Result<String> r = h.execute(dependency::sync);
            assertThat(Thread.currentThread().isInterrupted()).as("the caller keeps its interrupt").isTrue();
            Thread.interrupted();
            return r;
        }, pool);
        await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 1);
        clock.advance(Duration.ofMillis(10));
        await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.waiting() == 2);

        callerThread.get().interrupt();

        Result<String> result = call.get(5, TimeUnit.SECONDS);
        assertThat(((Result.Err<String>) result).error().code()).isEqualTo(CoreErrorCode.PROTECTED_OPERATION_ERROR.code());
        await().atMost(5, TimeUnit.SECONDS).until(() -> dependency.interrupted() == 2);
    }

    // ---------------------------------------------------------------- the percentile delay

    @Test
    void aPercentileDelayStartsAtTheInitialDelayThenFollowsTheDependencyBothWays() {
        Hedge h = Hedge.of("adaptive", hedge().delayAtPercentile(90, Duration.ofMillis(50))
                .latencyWindow(Duration.ofSeconds(4)).minSamples(50).build(), TestContexts.direct(clock, telemetry));
        long[] latency = {10 * MS};
        ClockedDependency dependency = new ClockedDependency(clock, n -> latency[0] + (n % 10) * MS / 10);
        assertThat(h.stats().delay()).isEqualTo(Duration.ofMillis(50));
        for (int i = 0; i < 300; i++) {
            drive(h.executeAsync(dependency::async).toCompletableFuture());
        }
        // p90 of 10.0–10.9 ms, rounded up to its bucket (≤ 6.25 % above)
        assertThat(h.stats().delay()).isBetween(Duration.ofNanos(10_800_000), Duration.ofNanos(11_700_000));

        latency[0] = 40 * MS;
        for (int i = 0; i < 200; i++) { // 8 s: the fast samples have left the 4 s window
            drive(h.executeAsync(dependency::async).toCompletableFuture());
        }
        assertThat(h.stats().delay()).isBetween(Duration.ofNanos(40_800_000), Duration.ofNanos(44_000_000));
        assertThat(h.stats().extraAttempts()).as("no call waited beyond the p90 for long").isLessThan(500 / 5);
    }

    @Test
    void aQuietPeriodKeepsTheLastEstimate() {
        Hedge h = Hedge.of("quiet", hedge().delayAtPercentile(90, Duration.ofMillis(50))
                .latencyWindow(Duration.ofSeconds(4)).minSamples(50).build(), TestContexts.direct(clock, telemetry));
        ClockedDependency dependency = new ClockedDependency(clock, n -> 10 * MS);
        for (int i = 0; i < 300; i++) {
            drive(h.executeAsync(dependency::async).toCompletableFuture());
        }
        Duration learned = h.stats().delay();
        clock.advance(Duration.ofMinutes(10));
        for (int i = 0; i < 10; i++) {  // too few samples to replace it
            drive(h.executeAsync(dependency::async).toCompletableFuture());
        }
        assertThat(h.stats().delay()).isEqualTo(learned);
    }

    @Test
    void onRealTimeTheWaitingCallerStartsTheHedgeItselfAndGetsItsAnswer() throws Exception {
        Hedge h = Hedge.of("real-time", hedge().delay(Duration.ofMillis(20)).build(),
                PolicyContext.builder().executor(pool).telemetry(telemetry).build());
        CountDownLatch firstStarted = new CountDownLatch(1);
        AtomicBoolean firstInterrupted = new AtomicBoolean();
        int[] n = {0};
        CompletableFuture<Result<String>> call = CompletableFuture.supplyAsync(() -> h.execute(() -> {
            int i;
            synchronized (n) {
                i = n[0]++;
            }
            if (i == 0) {
                firstStarted.countDown();
                try {
                    new CountDownLatch(1).await(); // hangs until interrupted
                } catch (InterruptedException e) {
                    firstInterrupted.set(true);
                    throw e;
                }
            }
            return "hedge";
        }), pool);

        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(Result.ok("hedge"));
        assertThat(firstStarted.getCount()).isZero();
        await().atMost(5, TimeUnit.SECONDS).untilTrue(firstInterrupted);
        assertThat(h.stats().wonByHedge()).isEqualTo(1);
    }
}
