package dev.bulwark.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoolStageTest {

    private PoolFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            assertThat(fixture.events.undeclared()).isEmpty();
            fixture.close();
        }
    }

    private PoolFixture start(PoolConfig config) {
        fixture = new PoolFixture(config);
        return fixture;
    }

    private static Protection pooled() {
        return Protection.builder().name("read").stage(PoolStage.of(PoolFixture.NAME)).build();
    }

    @Test
    void theCallRunsWithACheckedOutResourceThatGoesBackAfterwards() {
        PoolFixture f = start(PoolFixture.config().build());
        Protection protection = pooled();
        assertThat(protection.parts()).contains("pool");
        Result<Integer> id = f.infra.executeProtected(protection, () -> {
            assertThat(f.pool.status().active()).isEqualTo(1);
            return PooledCall.resource(TestResources.Resource.class).id;
        });
        assertThat(id.getOrThrow().intValue()).isEqualTo(1);
        assertThat(f.pool.status().active()).isZero();
        assertThat(f.pool.status().idle()).isEqualTo(1);
        assertThat(PooledCall.active()).isFalse();
        assertThatThrownBy(() -> PooledCall.resource(TestResources.Resource.class))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no pooled resource");
    }

    @Test
    void insideAnAttemptTimeoutTheCallStillHasItsResource() {
        PoolFixture f = start(PoolFixture.config().build());
        Protection protection = Protection.builder().name("read").attemptTimeout(Duration.ofSeconds(2))
                .stage(PoolStage.of(PoolFixture.NAME)).build();
        assertThat(protection.parts()).containsSubsequence("attempt_timeout", "pool");
        Result<Integer> id = f.infra.executeProtected(protection, () -> PooledCall.resource(TestResources.Resource.class).id);
        assertThat(id.getOrThrow().intValue()).isEqualTo(1);
        assertThat(f.pool.status().active()).isZero();
    }

    @Test
    void anExhaustedPoolRefusesTheCallWith7101AndTheCallDoesNotRun() {
        PoolFixture f = start(PoolFixture.config().maxSize(1).checkoutTimeout(Duration.ZERO).build());
        Lease<TestResources.Resource> held = f.pool.checkout(Duration.ZERO).getOrThrow();
        boolean[] ran = {false};
        Result<String> refused = f.infra.executeProtected(pooled(), () -> {
            ran[0] = true;
            return "x";
        });
        assertThat(refused.errValue().orElseThrow().errorCode()).isEqualTo(PoolErrorCode.POOL_EXHAUSTED);
        assertThat(ran[0]).isFalse();
        held.checkin();
    }

    @Test
    void aPoisoningFailureOfTheCallDestroysTheResourceAndIsTheCallsOwnError() {
        PoolFixture f = start(PoolFixture.config().poisonedBy(IOException.class).build());
        IOException broken = new IOException("reset by peer");
        Result<String> failed = f.infra.executeProtected(pooled(), () -> {
            PooledCall.resource(TestResources.Resource.class);
            throw broken;
        });
        InfraError error = failed.errValue().orElseThrow();
        assertThat(error.errorCode()).isEqualTo(CoreErrorCode.PROTECTED_OPERATION_FAILED);
        assertThat(error.cause()).isSameAs(broken);
        assertThat(f.pool.size()).isZero();
        assertThat(f.factory.made.get(0).destroyed).isTrue();

        f.infra.executeProtected(pooled(), () -> {
            throw new IllegalArgumentException("not poisoning");
        });
        assertThat(f.pool.status().idle()).isEqualTo(1);
    }

    @Test
    void anAsyncCallHoldsItsResourceUntilItsStageCompletes() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        CompletableFuture<Integer> remote = new CompletableFuture<>();
        int[] seen = {0};
        CompletableFuture<Result<Integer>> call = f.infra.<Integer>executeProtectedAsync(pooled(), () -> {
            seen[0] = PooledCall.resource(TestResources.Resource.class).id;
            return remote;
        }).toCompletableFuture();
        assertThat(seen[0]).isEqualTo(1);
        assertThat(f.pool.status().active()).isEqualTo(1);

        Result<Integer> refused = f.infra.<Integer>executeProtectedAsync(pooled(), () -> CompletableFuture.completedFuture(2))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(refused.errValue().orElseThrow().errorCode()).as("async checkouts never wait")
                .isEqualTo(PoolErrorCode.POOL_EXHAUSTED);

        remote.complete(7);
        assertThat(call.get(5, TimeUnit.SECONDS).getOrThrow().intValue()).isEqualTo(7);
        assertThat(f.pool.status().active()).isZero();
        assertThat(f.pool.status().idle()).isEqualTo(1);
    }

    @Test
    void anAsyncCallAbandonedByItsAttemptTimeoutStillGivesItsResourceBack() throws Exception {
        PoolFixture f = start(PoolFixture.config().maxSize(1).build());
        Protection protection = Protection.builder().name("read").attemptTimeout(Duration.ofMillis(300))
                .stage(PoolStage.of(PoolFixture.NAME)).build();
        CompletableFuture<Integer> neverAnswers = new CompletableFuture<>();
        CompletableFuture<Result<Integer>> call = f.infra.<Integer>executeProtectedAsync(protection, () -> neverAnswers)
                .toCompletableFuture();
        assertThat(f.pool.status().active()).isEqualTo(1);
        f.clock.advance(Duration.ofMillis(300));
        assertThat(call.get(5, TimeUnit.SECONDS).errValue().orElseThrow().code()).isEqualTo(7002);
        assertThat(f.pool.status().active()).isZero();
        assertThat(f.pool.size()).as("a resource abandoned mid-call is not reused").isZero();
        assertThat(f.infra.<Integer>executeProtectedAsync(protection, () -> CompletableFuture.completedFuture(3))
                .toCompletableFuture().get(5, TimeUnit.SECONDS).getOrThrow().intValue()).isEqualTo(3);
    }

    @Test
    void aStageNamingAMissingPoolIsRefusedWhenTheProtectionIsBuilt() {
        try (Infrastructure bare = Infrastructure.builder().clock(new ManualClock()).build()) {
            Result<String> refused = bare.executeProtected(Protection.builder().name("x")
                    .stage(PoolStage.of("nowhere")).build(), () -> "x");
            assertThat(refused.errValue().orElseThrow().code()).isEqualTo(7007);
            assertThat(refused.errValue().orElseThrow().message()).contains("Pools module");
        }
        PoolFixture f = start(PoolFixture.config().build());
        Result<String> unknown = f.infra.executeProtected(Protection.builder().name("y")
                .stage(PoolStage.of("nowhere")).build(), () -> "x");
        assertThat(unknown.errValue().orElseThrow().message()).contains("'nowhere'");
    }
}
