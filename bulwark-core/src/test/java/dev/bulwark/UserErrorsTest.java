package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Bulkhead;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an {@link Error} thrown by user code does at each boundary (docs/errors.md, "Errors thrown by
 * user code"): a {@link VirtualMachineError} reaches the caller promptly and strands no permit and no
 * caller; any other Error is an outcome with a code.
 */
class UserErrorsTest {

    private final ManualClock clock = new ManualClock();
    private final Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run).build();

    @AfterEach
    void close() {
        infra.close();
    }

    private static InfraError errorOf(CompletionStage<? extends Result<?>> stage) throws Exception {
        CompletableFuture<? extends Result<?>> future = stage.toCompletableFuture();
        Result<?> result = future.get(10, TimeUnit.SECONDS);
        assertThat(future.isCompletedExceptionally()).isFalse();
        return result.errValue().orElseThrow();
    }

    /** A stage of the caller's that fails to build with {@code thrown}. */
    record BrokenStage(Error thrown) implements StageSpec {
        @Override
        public Slot slot() {
            return Slot.HEDGE;
        }

        @Override
        public Stage create(StageContext context) {
            throw thrown;
        }
    }

    @Test
    void aStageFactoryThrowingAnErrorIsRefusedWith7007() {
        Protection broken = Protection.builder().stage(new BrokenStage(new AssertionError("factory bug"))).build();
        Result<Protection> configured = infra.configureProtection("broken", broken);
        assertThat(configured.errValue().orElseThrow().code()).isEqualTo(7007);
        assertThat(configured.errValue().orElseThrow().cause()).isInstanceOf(AssertionError.class);
        assertThat(infra.executeProtected(broken, () -> "x").errValue().orElseThrow().code()).isEqualTo(7007);
    }

    @Test
    void aStageFactoryThrowingAVirtualMachineErrorPropagates() {
        Protection broken = Protection.builder().stage(new BrokenStage(new StackOverflowError("deep factory"))).build();
        assertThatThrownBy(() -> infra.configureProtection("broken", broken)).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void aRegistryListenerThrowingAnErrorDoesNotFailTheInstall() {
        infra.circuitBreakers().subscribe(new RegistryListener<CircuitBreaker>() {
            @Override
            public void added(String name, CircuitBreaker entry) {
                throw new AssertionError("listener bug");
            }

            @Override
            public void removed(String name, CircuitBreaker entry) {
            }
        });
        assertThat(infra.circuitBreakers().install("db").name()).isEqualTo("db");
    }

    @Test
    void anAsyncCallWhoseStageCompletesWithAVirtualMachineErrorGives5012AndIsNotCounted() throws Exception {
        CircuitBreaker cb = infra.circuitBreakers().install("async",
                CircuitBreakerConfig.builder().failureCount(0, Duration.ofMinutes(1)).build());
        InfraError error = errorOf(cb.executeAsync(() -> CompletableFuture.failedFuture(new StackOverflowError("deep"))));
        assertThat(error.code()).isEqualTo(5012);
        assertThat(error.cause()).isInstanceOf(StackOverflowError.class);
        assertThat(cb.stats().meltCount()).isZero();
        assertThat(cb.tryAcquire()).isTrue();
    }

    @Test
    void anAsyncFallbackThrowingAVirtualMachineErrorGives7005InsteadOfFailingTheStage() throws Exception {
        Protection protection = Protection.builder()
                .fallback(FallbackConfig.ofSupplier(() -> {
                    throw new StackOverflowError("deep fallback");
                }))
                .circuitBreaker("fb", CircuitBreakerConfig.defaults())
                .build();
        InfraError error = errorOf(infra.executeProtectedAsync(protection,
                () -> CompletableFuture.failedFuture(new IOException("down"))));
        assertThat(error.code()).isEqualTo(7005);
        assertThat(error.cause()).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void anAsyncBulkheadCallWhoseStartThrowsAVirtualMachineErrorGivesItsPlaceBack() {
        Bulkhead bulkhead = Bulkhead.of("one", BulkheadConfig.of(1), infra.policyContext());
        assertThatThrownBy(() -> bulkhead.executeAsync(() -> {
            throw new StackOverflowError("deep start");
        })).isInstanceOf(StackOverflowError.class);
        assertThat(bulkhead.stats().inFlight()).isZero();
        assertThat(bulkhead.tryAcquirePermit()).isTrue();
    }

    @Test
    void aLaterAsyncRetryAttemptThrowingAVirtualMachineErrorEndsTheCallWith5012() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Protection retried = Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofSeconds(1)).build()).build();
        CompletionStage<Result<String>> result = infra.executeProtectedAsync(retried, () -> {
            if (attempts.incrementAndGet() == 1) {
                return CompletableFuture.failedFuture(new IOException("down"));
            }
            throw new StackOverflowError("deep second attempt"); // on the thread that runs the attempt
        });

        clock.advance(Duration.ofSeconds(1)); // the second attempt runs here, on this thread

        InfraError error = errorOf(result);
        assertThat(error.code()).isEqualTo(5012);
        assertThat(error.cause()).isInstanceOf(StackOverflowError.class);
        assertThat(attempts).hasValue(2);
    }
}
