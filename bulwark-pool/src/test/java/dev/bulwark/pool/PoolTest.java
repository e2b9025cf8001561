package dev.bulwark.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.testkit.TelemetryCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoolTest {

    private PoolFixture fixture;

    private PoolFixture start(PoolConfig config) {
        fixture = new PoolFixture(config);
        return fixture;
    }

    @AfterEach
    void everyEventDeclared() {
        if (fixture != null) {
            assertThat(fixture.events.undeclared()).isEmpty();
            fixture.close();
        }
    }

    /** Runs {@code work} on a thread of its own (the common pool may have one thread on this machine). */
    static <T> CompletableFuture<T> inThread(java.util.function.Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    private static <T> T ok(Result<T> result) {
        assertThat(result.isOk()).as("expected Ok, was %s", result).isTrue();
        return result.getOrThrow();
    }

    private static InfraError err(Result<?> result) {
        assertThat(result.isErr()).as("expected Err, was %s", result).isTrue();
        return result.errValue().orElseThrow();
    }

    private static List<TelemetryCapture.Captured> withReason(TelemetryCapture events, dev.bulwark.telemetry.EventType type,
                                                              String reason) {
        return events.named(type).stream().filter(e -> reason.equals(e.metadata().get(PoolEvents.REASON))).toList();
    }

    @Test
    void withResourceRunsTheWorkAndGivesTheResourceBack() {
        PoolFixture f = start(PoolFixture.config().build());
        Result<Integer> id = f.pool.withResource(r -> r.id);
        assertThat(ok(id)).isEqualTo(1);
        assertThat(ok(f.pool.withResource(r -> r.id)).intValue()).as("the same resource, reused").isEqualTo(1);
        PoolStatus status = f.pool.status();
        assertThat(status.idle()).isEqualTo(1);
        assertThat(status.active()).isZero();
        assertThat(status.created()).isEqualTo(1);
        assertThat(f.events.count(PoolEvents.CHECKED_OUT)).isEqualTo(2);
        assertThat(withReason(f.events, PoolEvents.RESOURCE_CREATED, "core")).hasSize(1);
    }

    @Test
    void overflowResourcesAreCreatedUnderLoadAndLingerBeforeTheyAreDestroyed() {
        PoolFixture f = start(PoolFixture.config().maxSize(2).maxOverflow(1).overflowLinger(Duration.ofSeconds(30)).build());
        Lease<TestResources.Resource> a = ok(f.pool.checkout(Duration.ZERO));
        Lease<TestResources.Resource> b = ok(f.pool.checkout(Duration.ZERO));
        Lease<TestResources.Resource> c = ok(f.pool.checkout(Duration.ZERO));
        assertThat(f.pool.status().overflow()).isEqualTo(1);
        assertThat(withReason(f.events, PoolEvents.RESOURCE_CREATED, "overflow")).hasSize(1);
        InfraError full = err(f.pool.checkout(Duration.ZERO));
        assertThat(full.errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);

        a.checkin();
        b.checkin();
        c.checkin();
        assertThat(f.pool.size()).as("the overflow resource lingers idle").isEqualTo(3);

        f.clock.advance(Duration.ofSeconds(29));
        f.pool.maintain();
        assertThat(f.pool.size()).isEqualTo(3);
        Lease<TestResources.Resource> reused = ok(f.pool.checkout(Duration.ZERO));
        assertThat(f.factory.creations.get()).as("a lingering resource serves the next burst").isEqualTo(3);
        reused.checkin();

        f.clock.advance(Duration.ofSeconds(29));
        f.pool.maintain();
        assertThat(f.pool.size()).as("only the resource returned 29 s ago is still young").isEqualTo(2);
        f.clock.advance(Duration.ofSeconds(1));
        f.pool.maintain();
        assertThat(f.pool.size()).as("never below maxSize").isEqualTo(2);
        assertThat(f.pool.status().overflow()).isZero();
        assertThat(withReason(f.events, PoolEvents.RESOURCE_DESTROYED, "overflow_expired")).hasSize(1);
        PoolStatus status = f.pool.status();
        assertThat(status.created() - status.destroyed()).isEqualTo(status.idle() + status.active());
    }

    @Test
    void aCallerBeyondMaxWaitersIsRefusedAtOnce() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).maxWaiters(1).build());
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        CompletableFuture<Result<Lease<TestResources.Resource>>> waiting =
                inThread(() -> f.pool.checkout(Duration.ofSeconds(10)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> f.pool.status().waiters() == 1);

        long before = f.clock.nanoTime();
        InfraError refused = err(f.pool.checkout(Duration.ofSeconds(10)));
        assertThat(f.clock.nanoTime()).as("no time passed: refused without waiting").isEqualTo(before);
        assertThat(refused.errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);
        assertThat(refused.context()).containsEntry("reason", "waiters_full").containsEntry("pool", PoolFixture.NAME)
                .containsEntry("waiters", 1);
        assertThat(withReason(f.events, PoolEvents.CHECKOUT_REJECTED, "waiters_full")).hasSize(1);
        assertThat(f.pool.status().rejections()).isEqualTo(1);

        held.checkin();
        Lease<TestResources.Resource> handedOver = ok(waiting.get(5, TimeUnit.SECONDS));
        assertThat(handedOver.resource().id).isEqualTo(1);
        handedOver.checkin();
    }

    @Test
    void aCheckoutTimesOutOnTheInjectedClockWithPoolWaitersAndWaitedInTheError() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        CompletableFuture<Result<Lease<TestResources.Resource>>> waiting =
                inThread(() -> f.pool.checkout(Duration.ofSeconds(5)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> f.pool.status().waiters() == 1);

        f.clock.advance(Duration.ofMillis(4999));
        assertThat(waiting).isNotDone();
        f.clock.advance(Duration.ofMillis(1));
        InfraError timedOut = err(waiting.get(5, TimeUnit.SECONDS));
        assertThat(timedOut.errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);
        assertThat(timedOut.message()).contains(PoolFixture.NAME).contains("5000 ms");
        assertThat(timedOut.context()).containsEntry("pool", PoolFixture.NAME).containsEntry("reason", "timeout")
                .containsEntry("waited_ms", 5000L).containsKey("waiters");
        assertThat(f.pool.status().timeouts()).isEqualTo(1);
        assertThat(f.pool.status().waiters()).isZero();

        held.checkin();
        assertThat(ok(f.pool.checkout(Duration.ZERO)).resource().id).as("the place was not lost").isEqualTo(1);
    }

    @Test
    void anInterruptedWaiterGetsAnErrorAndLeavesNoPlaceBehind() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        CompletableFuture<Result<Lease<TestResources.Resource>>> result = new CompletableFuture<>();
        Thread waiter = new Thread(() -> result.complete(f.pool.checkout(Duration.ofSeconds(10))));
        waiter.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> f.pool.status().waiters() == 1);
        waiter.interrupt();
        InfraError interrupted = err(result.get(5, TimeUnit.SECONDS));
        assertThat(interrupted.context()).containsEntry("reason", "interrupted");
        assertThat(f.pool.status().waiters()).isZero();
        held.checkin();
        ok(f.pool.checkout(Duration.ZERO)).checkin();
    }

    @Test
    void validationOnBorrowReplacesABrokenIdleResource() {
        PoolFixture f = start(PoolFixture.config().validateOnBorrow(true).build());
        Lease<TestResources.Resource> first = ok(f.pool.checkout(Duration.ZERO));
        TestResources.Resource broken = first.resource();
        first.checkin();
        broken.valid = false;

        Lease<TestResources.Resource> second = ok(f.pool.checkout(Duration.ZERO));
        assertThat(second.resource()).isNotSameAs(broken);
        assertThat(broken.destroyed).isTrue();
        assertThat(withReason(f.events, PoolEvents.RESOURCE_DESTROYED, "validation_failed")).hasSize(1);
        second.checkin();
    }

    @Test
    void idleResourcesAreValidatedWhenTheIntervalHasPassed() {
        PoolFixture f = start(PoolFixture.config().validateWhileIdle(Duration.ofSeconds(10)).build());
        Lease<TestResources.Resource> lease = ok(f.pool.checkout(Duration.ZERO));
        TestResources.Resource resource = lease.resource();
        lease.checkin();
        resource.valid = false;

        f.clock.advance(Duration.ofSeconds(9));
        f.pool.maintain();
        assertThat(f.factory.validations.get()).as("not due yet").isZero();
        assertThat(f.pool.size()).isEqualTo(1);

        f.clock.advance(Duration.ofSeconds(1));
        f.pool.maintain();
        assertThat(f.factory.validations.get()).isEqualTo(1);
        assertThat(f.pool.size()).isZero();
        assertThat(resource.destroyed).isTrue();
        assertThat(withReason(f.events, PoolEvents.RESOURCE_DESTROYED, "validation_failed")).hasSize(1);
    }

    @Test
    void idleResourcesAreEvictedByAgeOnTheInjectedClock() {
        PoolFixture f = start(PoolFixture.config().evictIdleAfter(Duration.ofMinutes(1)).build());
        Lease<TestResources.Resource> a = ok(f.pool.checkout(Duration.ZERO));
        Lease<TestResources.Resource> b = ok(f.pool.checkout(Duration.ZERO));
        a.checkin();
        f.clock.advance(Duration.ofSeconds(30));
        b.checkin();

        f.clock.advance(Duration.ofSeconds(29));
        f.pool.maintain();
        assertThat(f.pool.size()).isEqualTo(2);
        f.clock.advance(Duration.ofSeconds(1));
        f.pool.maintain();
        assertThat(f.pool.size()).as("idle for 60 s: evicted; the other for 30 s").isEqualTo(1);
        f.clock.advance(Duration.ofSeconds(30));
        f.pool.maintain();
        assertThat(f.pool.size()).isZero();
        assertThat(withReason(f.events, PoolEvents.RESOURCE_DESTROYED, "idle_evicted")).hasSize(2);
        assertThat(f.factory.destructions.get()).isEqualTo(2);
    }

    @Test
    void aResourceHeldPastTheLeakThresholdIsReportedOnceWithTheHoldersStack() {
        PoolFixture f = start(PoolFixture.config().leakThreshold(Duration.ofSeconds(10)).build());
        Lease<TestResources.Resource> leaked = checkOutAndForget(f.pool);

        f.clock.advance(Duration.ofMillis(9999));
        f.pool.maintain();
        assertThat(f.events.count(PoolEvents.LEAK_SUSPECTED)).isZero();
        f.clock.advance(Duration.ofMillis(1));
        f.pool.maintain();
        f.pool.maintain();
        List<TelemetryCapture.Captured> leaks = f.events.named(PoolEvents.LEAK_SUSPECTED);
        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0).measurements().get(PoolEvents.HELD_MS).longValue()).isEqualTo(10_000L);
        assertThat(leaks.get(0).metadata().get(PoolEvents.POOL)).isEqualTo(PoolFixture.NAME);
        assertThat((String) leaks.get(0).metadata().get(PoolEvents.STACK)).contains("checkOutAndForget");
        assertThat(f.pool.status().leaks()).isEqualTo(1);
        leaked.checkin();
    }

    private static Lease<TestResources.Resource> checkOutAndForget(Pool<TestResources.Resource> pool) {
        return pool.checkout(Duration.ZERO).getOrThrow();
    }

    @Test
    void withoutALeakThresholdNothingIsReported() {
        PoolFixture f = start(PoolFixture.config().build());
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        f.clock.advance(Duration.ofDays(1));
        f.pool.maintain();
        assertThat(f.events.count(PoolEvents.LEAK_SUSPECTED)).isZero();
        held.checkin();
    }

    @Test
    void theBreakerOnCreationFailuresAnswersFastWhileOpenAndRecoversThroughHalfOpen() {
        PoolFixture f = start(PoolFixture.config()
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(2).halfOpen(Duration.ofSeconds(10), 1, 1).build())
                .build());
        ConnectException refused = new ConnectException("connection refused");
        f.factory.failCreation = refused;
        for (int i = 0; i < 2; i++) {
            InfraError failed = err(f.pool.checkout(Duration.ZERO));
            assertThat(failed.errorCode()).isEqualTo(PoolErrorCode.POOL_RESOURCE_FAILED);
            assertThat(failed.context()).containsEntry("reason", "creation_failed");
            assertThat(failed.cause()).isSameAs(refused);
        }
        assertThat(f.pool.status().breaker()).isEqualTo(State.OPEN);

        long before = f.clock.nanoTime();
        InfraError fast = err(f.pool.checkout(Duration.ofSeconds(30)));
        assertThat(fast.errorCode()).isEqualTo(PoolErrorCode.POOL_RESOURCE_FAILED);
        assertThat(fast.context()).containsEntry("reason", "breaker_open");
        assertThat(f.factory.creations.get()).as("the factory is not called while the breaker is open").isEqualTo(2);
        assertThat(f.clock.nanoTime()).isEqualTo(before);
        assertThat(f.pool.health().status()).isEqualTo(HealthStatus.DEGRADED);

        f.factory.failCreation = null;
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(f.pool.status().breaker()).isEqualTo(State.HALF_OPEN);
        Lease<TestResources.Resource> trial = ok(f.pool.checkout(Duration.ZERO));
        assertThat(f.pool.status().breaker()).isEqualTo(State.CLOSED);
        trial.checkin();
        assertThat(f.pool.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(withReason(f.events, PoolEvents.CHECKOUT_REJECTED, "breaker_open")).hasSize(1);
    }

    @Test
    void aFailedHalfOpenTrialOpensTheBreakerAgain() {
        PoolFixture f = start(PoolFixture.config()
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(1).halfOpen(Duration.ofSeconds(10), 1, 1).build())
                .build());
        f.factory.failCreation = new IOException("down");
        err(f.pool.checkout(Duration.ZERO));
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(err(f.pool.checkout(Duration.ZERO)).context()).containsEntry("reason", "creation_failed");
        assertThat(f.pool.status().breaker()).isEqualTo(State.OPEN);
        assertThat(err(f.pool.checkout(Duration.ZERO)).context()).containsEntry("reason", "breaker_open");
        assertThat(f.factory.creations.get()).isEqualTo(2);
    }

    @Test
    void aLeaseEndsOnceAndADoubleCheckinIsAClearError() {
        PoolFixture f = start(PoolFixture.config().build());
        Lease<TestResources.Resource> lease = ok(f.pool.checkout(Duration.ZERO));
        f.pool.checkin(lease);
        assertThatThrownBy(() -> f.pool.checkin(lease)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already checked in");
        assertThatThrownBy(lease::checkin).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(lease::resource).isInstanceOf(IllegalStateException.class).hasMessageContaining("has ended");
        lease.close(); // try-with-resources after an explicit checkin: nothing happens
        assertThat(f.pool.status().idle()).as("given back once").isEqualTo(1);
        Lease<TestResources.Resource> a = ok(f.pool.checkout(Duration.ZERO));
        Lease<TestResources.Resource> b = ok(f.pool.checkout(Duration.ZERO));
        assertThat(a.resource()).as("never handed out twice").isNotSameAs(b.resource());
        a.checkin();
        b.checkin();
    }

    @Test
    void aLeaseOfAnotherPoolIsRefused() {
        PoolFixture f = start(PoolFixture.config().build());
        try (PoolFixture other = new PoolFixture(PoolFixture.config().build())) {
            Lease<TestResources.Resource> foreign = ok(other.pool.checkout(Duration.ZERO));
            assertThatThrownBy(() -> f.pool.checkin(foreign)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a lease of pool");
            foreign.checkin();
        }
    }

    @Test
    void workThatThrowsIsA7104AndAPoisoningExceptionDestroysTheResource() {
        PoolFixture f = start(PoolFixture.config().poisonedBy(IOException.class).build());
        IOException broken = new IOException("broken pipe");
        InfraError poisoned = err(f.pool.withResource(r -> {
            throw broken;
        }));
        assertThat(poisoned.errorCode()).isEqualTo(PoolErrorCode.POOLED_OPERATION_FAILED);
        assertThat(poisoned.cause()).isSameAs(broken);
        assertThat(poisoned.context()).containsEntry("poisoned", true);
        assertThat(f.pool.size()).isZero();
        assertThat(withReason(f.events, PoolEvents.RESOURCE_DESTROYED, "poisoned")).hasSize(1);

        InfraError plain = err(f.pool.withResource(r -> {
            throw new IllegalArgumentException("bad sku");
        }));
        assertThat(plain.context()).containsEntry("poisoned", false);
        assertThat(f.pool.status().idle()).as("a non-poisoning failure gives the resource back").isEqualTo(1);
    }

    @Test
    void aVirtualMachineErrorFromTheWorkPropagatesAndStrandsNothing() {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        assertThatThrownBy(() -> f.pool.withResource(r -> {
            throw new StackOverflowError("deep");
        })).isInstanceOf(StackOverflowError.class);
        assertThat(f.pool.status().active()).isZero();
        ok(f.pool.checkout(Duration.ZERO)).checkin();
    }

    @Test
    void afterCloseEveryCheckoutIs7103AndALeaseStillOutIsDestroyedWhenItComesBack() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        Lease<TestResources.Resource> out = ok(f.pool.checkout(Duration.ZERO));
        CompletableFuture<Result<Lease<TestResources.Resource>>> waiting =
                inThread(() -> f.pool.checkout(Duration.ofSeconds(10)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> f.pool.status().waiters() == 1);
        f.pool.close();
        assertThat(err(waiting.get(5, TimeUnit.SECONDS)).errorCode()).isEqualTo(PoolErrorCode.POOL_CLOSED);
        assertThat(err(f.pool.checkout(Duration.ZERO)).errorCode()).isEqualTo(PoolErrorCode.POOL_CLOSED);
        assertThat(err(f.pool.withResource(r -> r)).errorCode()).isEqualTo(PoolErrorCode.POOL_CLOSED);
        out.checkin();
        assertThat(out.isActive()).isFalse();
        assertThat(f.factory.made.get(0).destroyed).isTrue();
        assertThat(withReason(f.events, PoolEvents.RESOURCE_DESTROYED, "closed")).hasSize(1);
        PoolStatus status = f.pool.status();
        assertThat(status.created() - status.destroyed()).isZero();
    }

    @Test
    void closingTheInfrastructureClosesThePool() {
        PoolFixture f = start(PoolFixture.config().build());
        ok(f.pool.checkout(Duration.ZERO)).checkin();
        f.infra.close();
        assertThat(err(f.pool.checkout(Duration.ZERO)).errorCode()).isEqualTo(PoolErrorCode.POOL_CLOSED);
        assertThat(f.factory.made.get(0).destroyed).isTrue();
    }

    @Test
    void healthIsDegradedWhenExhaustedAndDownWhenMarkedCritical() {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        assertThat(f.pool.health().status()).isEqualTo(HealthStatus.UP);
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        assertThat(f.pool.health().status()).isEqualTo(HealthStatus.DEGRADED);
        held.checkin();
        try (PoolFixture critical = new PoolFixture(PoolFixture.config().maxSize(1).critical(true).build())) {
            Lease<TestResources.Resource> all = ok(critical.pool.checkout(Duration.ZERO));
            assertThat(critical.pool.health().status()).isEqualTo(HealthStatus.DOWN);
            all.checkin();
            assertThat(critical.pool.health().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void theReadinessReportCarriesThePoolsCheck() {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        await().atMost(5, TimeUnit.SECONDS).until(() -> {
            f.clock.advance(Duration.ofMinutes(1)); // past the check's TTL: each report asks for a fresh run
            var check = f.infra.health().readiness().checks().get("pool:" + PoolFixture.NAME);
            return check != null && check.status() == HealthStatus.DEGRADED;
        });
        assertThat(f.infra.health().liveness().checks()).doesNotContainKey("pool:" + PoolFixture.NAME);
        held.checkin();
    }

    @Test
    void thePoolIsAComponentWithItsStatusAndItsBreakerIsInTheRegistry() {
        PoolFixture f = start(PoolFixture.config().build());
        assertThat(f.infra.status().component("pool_" + PoolFixture.NAME, PoolStatus.class)).hasValueSatisfying(
                s -> assertThat(s.name()).isEqualTo(PoolFixture.NAME));
        assertThat(f.infra.circuitBreakers().get("pool." + PoolFixture.NAME)).isPresent();
        assertThat(f.infra.errorCodes().find(7101)).isPresent();
    }

    @Test
    void badArgumentsAreRefusedWithClearMessages() {
        PoolFixture f = start(PoolFixture.config().build());
        assertThatThrownBy(() -> f.pool.checkout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout").hasMessageContaining("-0.001");
        assertThatThrownBy(() -> f.pool.checkout(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> f.pool.checkin(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("lease");
        assertThatThrownBy(() -> f.pool.withResource(null)).isInstanceOf(NullPointerException.class);
        Pools pools = f.infra.component(Pools.class).orElseThrow();
        assertThatThrownBy(() -> pools.pool("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope").hasMessageContaining(PoolFixture.NAME);
        assertThatThrownBy(() -> Pools.builder().pool("Bad Name", new TestResources()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Bad Name'");
        assertThatThrownBy(() -> Pools.builder().pool("a", new TestResources()).pool("a", new TestResources()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' is already taken");
        assertThatThrownBy(() -> Pools.builder().pool("a", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("factory");
    }

    @Test
    void aFactoryReturningNullIsACreationFailure() {
        fixture = null;
        try (var infra = dev.bulwark.Infrastructure.builder().clock(new dev.bulwark.time.ManualClock())
                .install(Pools.builder().pool("nulls", () -> null).asModule()).build()) {
            Pool<Object> pool = infra.component(Pools.class).orElseThrow().pool("nulls");
            InfraError failed = err(pool.checkout(Duration.ZERO));
            assertThat(failed.errorCode()).isEqualTo(PoolErrorCode.POOL_RESOURCE_FAILED);
            assertThat(failed.message()).contains("created null");
        }
    }

    @Test
    void wakingWaitersGetResourcesInArrivalOrder() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        Lease<TestResources.Resource> held = ok(f.pool.checkout(Duration.ZERO));
        List<CompletableFuture<Result<Lease<TestResources.Resource>>>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(inThread(() -> f.pool.checkout(Duration.ofSeconds(10))));
            int expected = i + 1;
            await().atMost(5, TimeUnit.SECONDS).until(() -> f.pool.status().waiters() == expected);
        }
        held.checkin();
        for (CompletableFuture<Result<Lease<TestResources.Resource>>> waiter : waiters) {
            Lease<TestResources.Resource> lease = ok(waiter.get(5, TimeUnit.SECONDS));
            for (CompletableFuture<Result<Lease<TestResources.Resource>>> later : waiters.subList(waiters.indexOf(waiter) + 1,
                    waiters.size())) {
                assertThat(later).isNotDone();
            }
            lease.checkin();
        }
        assertThat(f.factory.creations.get()).isEqualTo(1);
    }
}
