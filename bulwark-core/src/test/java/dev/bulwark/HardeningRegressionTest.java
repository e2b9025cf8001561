package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Bulkhead;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimitHeaders;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Regression tests of issue #17 (hardening), one per defect, through the public API. Each test was
 * seen failing before its fix; the name says the behaviour it holds.
 */
class HardeningRegressionTest {

    final ManualClock clock = new ManualClock();
    final Infrastructure infra = Infrastructure.builder().clock(clock).build();

    @AfterEach
    void close() {
        infra.close();
    }

    private static int code(Result<?> result) {
        return result.errValue().map(InfraError::code).orElse(0);
    }

    @Nested
    class BlankKeys {

        @Test
        void tryAcquireRejectsABlankEntityOrOperationLikeCheckRate() {
            RateLimiter limiter = infra.rateLimiter();
            assertThatThrownBy(() -> limiter.tryAcquire(" ", "op", RateLimit.perSecond(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entityId").hasMessageContaining("' '");
            assertThatThrownBy(() -> limiter.tryAcquire("user", "", RateLimit.perSecond(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation").hasMessageContaining("''");
            assertThatThrownBy(() -> limiter.tryAcquire(null, "op", RateLimit.perSecond(1)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("entityId");
            assertThat(code(limiter.checkRate(" ", "", RateLimit.perSecond(1)))).isEqualTo(6009);
        }

        @Test
        void aPerCallerLimitAnswers6009ForABlankEntityWhateverTelemetryListens() {
            Protection perCaller = Protection.builder().rateLimitPerCaller("op", 2, Duration.ofMinutes(1)).build();
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                codes.add(code(infra.executeProtected(perCaller, " ", () -> "ok")));
            }
            infra.telemetry().attach("listener", infra.telemetry().name(Events.RATE_LIMITER_REQUEST_ALLOWED),
                    (event, measurements, metadata) -> { });
            for (int i = 0; i < 3; i++) {
                codes.add(code(infra.executeProtected(perCaller, " ", () -> "ok")));
            }
            assertThat(codes).containsOnly(6009).hasSize(6);
        }
    }

    @Nested
    class ClassificationErrors {

        /** A breaker whose recordExceptions predicate throws {@code thrown}, tripped and now half-open with one trial. */
        private CircuitBreaker halfOpenBreakerWhosePredicateThrows(Error thrown) {
            CircuitBreaker cb = infra.circuitBreakers().install("classify", CircuitBreakerConfig.builder()
                    .failureCount(0, Duration.ofMinutes(1))
                    .halfOpen(Duration.ofSeconds(1), 1, 1)
                    .trialTimeout(Duration.ofSeconds(60))
                    .recordExceptions(t -> {
                        throw thrown;
                    })
                    .build());
            assertThat(cb.tryAcquire()).isTrue();
            cb.onFailure(0, null); // a null failure counts without asking the predicate
            clock.advance(Duration.ofSeconds(1));
            assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
            return cb;
        }

        @Test
        void aPredicateThrowingAnErrorGives5006AndReturnsTheTrialPermit() {
            CircuitBreaker cb = halfOpenBreakerWhosePredicateThrows(new AssertionError("predicate bug"));

            Result<String> trial = cb.execute(() -> {
                throw new IOException("down");
            });
            assertThat(code(trial)).isEqualTo(5006);
            assertThat(trial.errValue().orElseThrow().cause()).isInstanceOf(AssertionError.class);

            Result<String> next = cb.execute(() -> "ok"); // the permit came back: the next trial is admitted
            assertThat(next.isOk()).isTrue();
            assertThat(cb.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aPredicateThrowingAVirtualMachineErrorPropagatesAndReturnsTheTrialPermit() {
            CircuitBreaker cb = halfOpenBreakerWhosePredicateThrows(new StackOverflowError("deep predicate"));

            assertThatThrownBy(() -> cb.execute(() -> {
                throw new IOException("down");
            })).isInstanceOf(StackOverflowError.class);

            assertThat(cb.execute(() -> "ok").isOk()).isTrue();
        }

        @Test
        void aPredicateThrowingAnErrorInThePermitProtocolReturnsThePermit() {
            CircuitBreaker cb = halfOpenBreakerWhosePredicateThrows(new AssertionError("predicate bug"));
            assertThat(cb.tryAcquire()).isTrue();

            cb.onFailure(5, new IOException("down"));

            assertThat(cb.tryAcquire()).as("the trial permit was given back").isTrue();
        }

        @Test
        void aResultPredicateThrowingAnErrorGives5006() {
            CircuitBreaker cb = infra.circuitBreakers().install("results", CircuitBreakerConfig.builder()
                    .failureCount(0, Duration.ofMinutes(1))
                    .recordResults(r -> {
                        throw new AssertionError("result predicate bug");
                    })
                    .build());
            assertThat(code(cb.execute(() -> "value"))).isEqualTo(5006);
            assertThat(cb.state()).isEqualTo(State.CLOSED);
        }
    }

    @Nested
    class VirtualMachineErrorsUnderATimeout {

        @Test
        void aStackOverflowUnderAnAttemptTimeoutReachesTheCallerAtOnceAndIsNotCountedAsAFailure() throws Exception {
            ConcurrentLinkedQueue<Throwable> uncaught = new ConcurrentLinkedQueue<>();
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "test-pipeline");
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
                return t;
            });
            try (Infrastructure realTime = Infrastructure.builder().executor(executor).build()) {
                Protection protection = Protection.builder()
                        .circuitBreaker("vme", CircuitBreakerConfig.builder().failureCount(0, Duration.ofMinutes(1)).build())
                        .attemptTimeout(Duration.ofSeconds(30))
                        .build();

                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() ->
                        realTime.executeProtected(protection, () -> {
                            throw new StackOverflowError("deep");
                        })).isInstanceOf(StackOverflowError.class));

                CircuitBreaker cb = realTime.circuitBreakers().get("vme").orElseThrow();
                assertThat(cb.stats().meltCount()).isZero();
                assertThat(cb.state()).isEqualTo(State.CLOSED);
                assertThat(realTime.executeProtected(protection, () -> "ok").isOk()).as("the permit came back").isTrue();
                assertThat(uncaught).as("nothing escaped on the worker thread").isEmpty();
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Nested
    class ErrorsOfLimitedActions {

        @Test
        void anErrorThrownByTheActionOfExecuteWithLimitIs6008WithTheErrorAsCause() {
            Result<String> result = infra.rateLimiter().executeWithLimit("user", "export", RateLimit.perSecond(5), () -> {
                throw new AssertionError("bug in the action");
            });
            assertThat(code(result)).isEqualTo(6008);
            assertThat(result.errValue().orElseThrow().cause()).isInstanceOf(AssertionError.class);
        }

        @Test
        void aVirtualMachineErrorThrownByTheActionPropagates() {
            assertThatThrownBy(() -> infra.rateLimiter().executeWithLimit("user", "export", RateLimit.perSecond(5), () -> {
                throw new OutOfMemoryError("simulated");
            })).isInstanceOf(OutOfMemoryError.class);
        }
    }

    @Nested
    class DurationsTooLargeForNanoseconds {

        /** About 146 000 years: more than a long counts in nanoseconds. */
        final Duration huge = Duration.ofSeconds(Long.MAX_VALUE / 2);

        @Test
        void everyDurationSettingIsCappedWhenSetWithTheArgumentAndValueInTheMessage() {
            assertThatThrownBy(() -> TimeoutConfig.of(huge)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout").hasMessageContaining(huge.toString()).hasMessageContaining("365 days");
            assertThatThrownBy(() -> BulkheadConfig.of(1).withMaxWait(huge)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWait").hasMessageContaining(huge.toString());
            assertThatThrownBy(() -> RetryConfig.builder().exponentialBackoff(Duration.ofMillis(1), huge))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay").hasMessageContaining(huge.toString());
            assertThatThrownBy(() -> RetryConfig.builder().fixedBackoff(huge))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
            assertThatThrownBy(() -> RetryConfig.builder().maxRetryAfter(huge))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetryAfter");
            assertThatThrownBy(() -> FallbackConfig.ofLastGoodValue(huge))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge");
            assertThatThrownBy(() -> Infrastructure.builder().rateLimitSweepInterval(huge))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rateLimitSweepInterval")
                    .hasMessageContaining(huge.toString());
        }

        @Test
        void theCapItselfIsAccepted() {
            Duration cap = Duration.ofDays(365);
            assertThat(TimeoutConfig.of(cap).timeout()).isEqualTo(cap);
            assertThat(BulkheadConfig.of(1).withMaxWait(cap).maxWait()).isEqualTo(cap);
            assertThat(RetryConfig.builder().exponentialBackoff(Duration.ofMillis(1), cap).build().maxDelay()).isEqualTo(cap);
            assertThatThrownBy(() -> TimeoutConfig.of(cap.plusNanos(1))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class AsyncTelemetryCapacity {

        @Test
        void aHugeAsyncQueueIsRefusedWithAClearMessageInsteadOfRunningOutOfMemory() {
            assertThatThrownBy(() -> Infrastructure.builder().asyncTelemetry(Integer.MAX_VALUE).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("queueCapacity").hasMessageContaining("2147483647").hasMessageContaining("1048576");
        }

        @Test
        void theLargestAcceptedQueueWorks() {
            try (Infrastructure big = Infrastructure.builder().asyncTelemetry(1 << 20).build()) {
                assertThat(big.telemetry().dispatchMode()).isEqualTo(dev.bulwark.telemetry.DispatchMode.ASYNCHRONOUS);
            }
        }
    }

    @Nested
    class HandlersThrowingVirtualMachineErrors {

        @Test
        void aSynchronousHandlerThrowingAVirtualMachineErrorIsDetachedAndReportedAndTheEmitterGoesOn() {
            try (Telemetry telemetry = Telemetry.create()) {
                EventName event = telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE);
                AtomicInteger calls = new AtomicInteger();
                List<Map<String, Object>> failures = new CopyOnWriteArrayList<>();
                telemetry.attach("overflowing", event, (name, m, md) -> {
                    calls.incrementAndGet();
                    throw new StackOverflowError("handler recursion");
                });
                telemetry.attach("failures", telemetry.name(Events.TELEMETRY_HANDLER_FAILURE),
                        (name, m, md) -> failures.add(md));

                telemetry.execute(event, Map.of(), Map.of());
                telemetry.execute(event, Map.of(), Map.of());

                assertThat(calls).hasValue(1);
                assertThat(telemetry.handlerIds()).containsExactly("failures");
                assertThat(telemetry.handlerFailures()).isEqualTo(1);
                assertThat(failures).singleElement().satisfies(md -> {
                    assertThat(md).containsEntry("handler_id", "overflowing");
                    assertThat(md.get("exception")).isInstanceOf(StackOverflowError.class);
                });
            }
        }

        @Test
        void theAsynchronousDispatcherSurvivesAHandlerThrowingAVirtualMachineError() {
            try (Telemetry telemetry = Telemetry.builder().asynchronous(64).build()) {
                EventName event = telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE);
                AtomicInteger delivered = new AtomicInteger();
                telemetry.attach("dying", event, (name, m, md) -> {
                    throw new OutOfMemoryError("simulated");
                });
                telemetry.attach("counting", event, (name, m, md) -> delivered.incrementAndGet());

                for (int i = 0; i < 5; i++) {
                    telemetry.execute(event, Map.of(), Map.of());
                }

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(delivered).hasValue(5));
                assertThat(telemetry.handlerFailures()).isEqualTo(1);
                assertThat(telemetry.handlerIds()).containsExactly("counting");
                assertThat(telemetry.droppedEvents()).isZero();
            }
        }
    }

    @Nested
    class BulkheadReleases {

        @Test
        void releasingAPlaceNeverTakenDoesNotRaiseTheCapacityAndIsCounted() {
            Bulkhead bulkhead = Bulkhead.of("one", BulkheadConfig.of(1), infra.policyContext());
            bulkhead.releasePermit();
            bulkhead.releasePermit();

            List<Boolean> acquired = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                acquired.add(bulkhead.tryAcquirePermit());
            }

            assertThat(acquired).containsExactly(true, false, false);
            assertThat(bulkhead.stats().inFlight()).isEqualTo(1);
            assertThat(bulkhead.stats().unmatchedReleases()).isEqualTo(2);
        }

        @Test
        void aReleaseTooManyAfterARealOneIsIgnoredToo() {
            Bulkhead bulkhead = Bulkhead.of("two", BulkheadConfig.of(2), infra.policyContext());
            assertThat(bulkhead.tryAcquirePermit()).isTrue();
            bulkhead.releasePermit();
            bulkhead.releasePermit();
            assertThat(bulkhead.tryAcquirePermit()).isTrue();
            assertThat(bulkhead.tryAcquirePermit()).isTrue();
            assertThat(bulkhead.tryAcquirePermit()).isFalse();
            assertThat(bulkhead.stats().unmatchedReleases()).isEqualTo(1);
        }

        @Test
        void releasingEveryPlaceTwiceFromManyThreadsNeverLeavesTheCapacityRaised() throws Exception {
            int limit = 3;
            int threads = 8;
            int rounds = 20_000;
            Bulkhead bulkhead = Bulkhead.of("many", BulkheadConfig.of(limit), infra.policyContext());
            LongAdder acquired = new LongAdder();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < rounds; i++) {
                            if (bulkhead.tryAcquirePermit()) {
                                acquired.increment();
                                bulkhead.releasePermit();
                                bulkhead.releasePermit(); // one too many
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            // every place taken was given back once; every second release was ignored
            assertThat(bulkhead.stats().inFlight()).isZero();
            assertThat(bulkhead.stats().unmatchedReleases()).isEqualTo(acquired.sum());
            for (int i = 0; i < limit; i++) {
                assertThat(bulkhead.tryAcquirePermit()).isTrue();
            }
            assertThat(bulkhead.tryAcquirePermit()).as("the capacity is still " + limit).isFalse();
        }
    }

    @Nested
    class BuilderSettings {

        @Test
        void aSuppliedTelemetryWithAPrefixOrAsyncDispatchIsRefusedNamingBothSettings() {
            try (Telemetry own = Telemetry.create()) {
                assertThatThrownBy(() -> Infrastructure.builder().telemetry(own).telemetryPrefix("my.app").build())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("telemetry(").hasMessageContaining("telemetryPrefix");
                assertThatThrownBy(() -> Infrastructure.builder().asyncTelemetry(16).telemetry(own).build())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("telemetry(").hasMessageContaining("asyncTelemetry");
            }
        }

        @Test
        void aSuppliedRateLimitStoreWithAKeyBoundIsRefusedNamingBothSettings() {
            try (InMemoryLimitStore store = InMemoryLimitStore.create(clock)) {
                assertThatThrownBy(() -> Infrastructure.builder().rateLimitStore(store).rateLimitMaxKeys(10).build())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("rateLimitStore").hasMessageContaining("rateLimitMaxKeys");
            }
        }

        @Test
        void aKeyBoundWithAStoreChosenByAModuleIsRefusedNamingTheModule() {
            InMemoryLimitStore store = InMemoryLimitStore.create(clock);
            dev.bulwark.spi.BulwarkModule module = new dev.bulwark.spi.BulwarkModule() {
                @Override
                public String name() {
                    return "custom_store";
                }

                @Override
                public void install(dev.bulwark.spi.ModuleContext context) {
                    context.useRateLimitStore(store, true);
                }
            };
            assertThatThrownBy(() -> Infrastructure.builder().install(module).rateLimitMaxKeys(10).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("custom_store").hasMessageContaining("rateLimitMaxKeys");
        }

        @Test
        void aBlankTelemetryPrefixIsRefusedWithTheArgumentAndValue() {
            assertThatThrownBy(() -> Infrastructure.builder().telemetryPrefix("  "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("telemetryPrefix").hasMessageContaining("'  '");
            assertThatThrownBy(() -> Infrastructure.builder().telemetryPrefix("my. .infra"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("telemetryPrefix");
            assertThatThrownBy(() -> Infrastructure.builder().telemetryPrefix(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("telemetryPrefix");
        }

        @Test
        void anAttemptTimeoutLongerThanTheTotalTimeoutIsRefusedNamingBoth() {
            assertThatThrownBy(() -> Protection.builder().totalTimeout(Duration.ofSeconds(1))
                    .attemptTimeout(Duration.ofSeconds(2)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("attemptTimeout").hasMessageContaining("PT2S")
                    .hasMessageContaining("totalTimeout").hasMessageContaining("PT1S");
        }

        @Test
        void aProtectionKeyWithAControlCharacterIsRefusedWith7007() {
            Result<Protection> refused = infra.configureProtection("inventory\nread",
                    Protection.circuitBreaker("inventory"));
            assertThat(code(refused)).isEqualTo(7007);
            assertThat(refused.errValue().orElseThrow().message()).contains("control characters");
            assertThat(infra.protectionKeys()).isEmpty();
        }
    }

    @Nested
    class ManualClockLimits {

        @Test
        void advancingPastTheLongestTimeIsRefusedAndLeavesTheClockWhereItWas() {
            ManualClock manual = new ManualClock();
            manual.advanceNanos(Long.MAX_VALUE - 10);
            long before = manual.nanoTime();
            assertThatThrownBy(() -> manual.advanceNanos(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Long.toString(Long.MAX_VALUE));
            assertThat(manual.nanoTime()).isEqualTo(before);
            assertThat(manual.elapsed()).isPositive();
        }

        @Test
        void aDurationTooLargeOrNullIsRefusedNamingTheArgument() {
            ManualClock manual = new ManualClock();
            assertThatThrownBy(() -> manual.advance(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("amount");
            assertThatThrownBy(() -> manual.advance(Duration.ofSeconds(Long.MAX_VALUE / 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amount");
            assertThatThrownBy(() -> manual.advanceMillis(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("millis");
            assertThat(manual.elapsed()).isZero();
        }
    }

    @Nested
    class NullArguments {

        @Test
        void everyNullCheckNamesItsArgument() {
            Telemetry telemetry = infra.telemetry();
            assertThatThrownBy(() -> telemetry.attach("h", (EventName) null, (n, m, md) -> { }))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("event");
            assertThatThrownBy(() -> telemetry.attach("h", java.util.Arrays.asList(telemetry.prefix(), null), (n, m, md) -> { }))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("events[1]");
            assertThatThrownBy(() -> telemetry.span(null, Map.of(), () -> "x"))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("spanPrefix");
            assertThatThrownBy(() -> telemetry.span(telemetry.prefix(), null, () -> "x"))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("metadata");
            assertThatThrownBy(() -> telemetry.span(telemetry.prefix(), Map.of(), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("body");
            assertThatThrownBy(() -> RateLimitHeaders.of(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("decision");
            assertThatThrownBy(() -> RateLimitHeaders.retryAfterSeconds((Decision) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("decision");
            assertThatThrownBy(() -> RateLimitHeaders.retryAfterSeconds((InfraError) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("error");
            assertThatThrownBy(() -> RateLimitHeaders.policy(java.util.Arrays.asList(RateLimit.perSecond(1), null)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("rules[1]");
            assertThatThrownBy(() -> RateLimitHeaders.rateLimit(java.util.Arrays.asList((Decision) null)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("decisions[0]");
            assertThatThrownBy(() -> new ManualClock().advance(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("amount");
        }
    }

    @Nested
    class LogMessages {

        @Test
        void aFailingScheduledTaskIsLoggedWithItsNameInSingleQuotes() throws Exception {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(
                    dev.bulwark.internal.ExecutorScheduler.class.getName());
            List<String> messages = new CopyOnWriteArrayList<>();
            java.util.logging.Handler capture = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord record) {
                    messages.add(new java.util.logging.SimpleFormatter().formatMessage(record));
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            java.util.logging.Level previous = logger.getLevel();
            boolean parents = logger.getUseParentHandlers();
            logger.setLevel(java.util.logging.Level.ALL);
            logger.setUseParentHandlers(false);
            logger.addHandler(capture);
            try (dev.bulwark.internal.ExecutorScheduler scheduler = new dev.bulwark.internal.ExecutorScheduler()) {
                CountDownLatch ran = new CountDownLatch(1);
                scheduler.schedule("flaky", Duration.ZERO, () -> {
                    ran.countDown();
                    throw new IllegalStateException("expected by the test");
                });
                assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> !messages.isEmpty());
            } finally {
                logger.removeHandler(capture);
                logger.setUseParentHandlers(parents);
                logger.setLevel(previous);
            }
            assertThat(messages.get(0)).contains("'flaky'").doesNotContain("''");
        }
    }
}
