package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FallbackTest {

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private final PolicyContext context = TestContexts.direct(clock, telemetry);

    private static String down() throws IOException {
        throw new IOException("down");
    }

    @Test
    void aSuccessPassesThrough() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofValue("placeholder"), context);
        assertThat(fallback.execute(() -> "real")).isEqualTo(Result.ok("real"));
        assertThat(fallback.stats().used()).isZero();
    }

    @Test
    void aStaticValueReplacesAFailure() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofValue("placeholder"), context);
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("placeholder"));
        assertThat(fallback.call(FallbackTest::down)).isEqualTo("placeholder");
    }

    @Test
    void anAlternateSupplierAnswersAFailure() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofSupplier(() -> "from replica"), context);
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("from replica"));
    }

    @Test
    void aFunctionComputesTheAnswerFromTheError() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofFunction(e -> "error " + e.code()), context);
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("error 5003"));
    }

    @Test
    void aFailingSupplierGives7005WithTheOriginalCode() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofSupplier(() -> {
            throw new IOException("replica down too");
        }), context);
        InfraError error = fallback.execute(FallbackTest::down).errValue().orElseThrow();
        assertThat(error.errorCode()).isEqualTo(CoreErrorCode.FALLBACK_FAILED);
        assertThat(error.context()).containsEntry("original_error_code", 5003);
        assertThat(error.cause()).hasMessage("replica down too");
        assertThat(fallback.stats().failed()).isEqualTo(1);
    }

    @Test
    void theLastGoodValueIsServedWhileFreshThenAgesOut() {
        Fallback<String> fallback = Fallback.of("prices", FallbackConfig.<String>ofLastGoodValue(Duration.ofSeconds(30)), context);
        fallback.execute(() -> "price at t0");

        clock.advance(Duration.ofSeconds(30));
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("price at t0"));

        clock.advance(Duration.ofNanos(1));
        Result<String> aged = fallback.execute(FallbackTest::down);
        assertThat(aged.errValue().orElseThrow().code()).isEqualTo(5003);
        assertThat(fallback.stats().lastGoodUsed()).isEqualTo(1);
    }

    @Test
    void aNewSuccessRefreshesTheLastGoodValue() {
        Fallback<String> fallback = Fallback.of("prices", FallbackConfig.<String>ofLastGoodValue(Duration.ofSeconds(30)), context);
        fallback.execute(() -> "v1");
        clock.advance(Duration.ofSeconds(20));
        fallback.execute(() -> "v2");
        clock.advance(Duration.ofSeconds(20));
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("v2"));
        assertThat(fallback.stats().lastGoodAge()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void whenTheLastGoodValueAgedOutTheStaticValueAnswers() {
        Fallback<String> fallback = Fallback.of("prices", FallbackConfig.<String>builder()
                .lastGoodValue(Duration.ofSeconds(10)).value("unknown").build(), context);
        fallback.execute(() -> "fresh");
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("fresh"));
        clock.advance(Duration.ofSeconds(11));
        assertThat(fallback.execute(FallbackTest::down)).isEqualTo(Result.ok("unknown"));
    }

    @Test
    void onlyTheErrorsItHandlesAreReplaced() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.<String>builder().value("x")
                .handleIf(InfraError::isRejection).build(), context);
        assertThat(fallback.execute(FallbackTest::down).errValue().orElseThrow().code()).isEqualTo(5003);
        assertThat(fallback.execute(() -> {
            throw new InfraException(InfraError.of(CoreErrorCode.BULKHEAD_FULL, "full"));
        })).isEqualTo(Result.ok("x"));
    }

    @Test
    void asyncFailuresAreAnsweredToo() {
        Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofValue("placeholder"), context);
        CompletableFuture<String> call = new CompletableFuture<>();
        CompletableFuture<Result<String>> r = fallback.executeAsync(() -> call).toCompletableFuture();
        call.completeExceptionally(new IOException("down"));
        assertThat(r).isCompletedWithValue(Result.ok("placeholder"));
    }

    @Test
    void eachAnswerIsReportedWithItsSource() {
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            Fallback<String> fallback = Fallback.of("prices", FallbackConfig.<String>builder()
                    .lastGoodValue(Duration.ofSeconds(10)).value("unknown").build(), context);
            fallback.execute(() -> "fresh");
            clock.advance(Duration.ofSeconds(4));
            fallback.execute(FallbackTest::down);
            clock.advance(Duration.ofSeconds(10));
            fallback.execute(FallbackTest::down);
            assertThat(events.named(Events.FALLBACK_USED)).extracting(e -> e.metadata().get("source"))
                    .containsExactly("last_good", "value");
            assertThat(events.named(Events.FALLBACK_USED).get(0).measurements()).containsEntry("age_ms", 4000.0);
        }
    }

    @Test
    void theConfigNeedsSomethingToAnswerWithAndOneAlternativeOnly() {
        assertThatThrownBy(() -> FallbackConfig.<String>builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a last good value");
        assertThatThrownBy(() -> FallbackConfig.<String>builder().value("a").supplier(() -> "b"))
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot set supplier: a value is already set");
        assertThatThrownBy(() -> FallbackConfig.<String>builder().lastGoodValue(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAge must be positive, was PT0S");
    }
}
