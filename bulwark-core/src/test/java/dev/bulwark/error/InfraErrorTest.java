package dev.bulwark.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InfraErrorTest {

    @Test
    void builderFillsEveryField() {
        IllegalStateException cause = new IllegalStateException("db down");
        InfraError error = InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_BLOWN)
                .message("breaker 'db' is open")
                .context("name", "db")
                .correlationId("req-42")
                .timestampMillis(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli())
                .cause(cause)
                .retryAfter(Duration.ofSeconds(12))
                .recoveryActions(List.of("wait for the breaker to close"))
                .build();

        assertThat(error.code()).isEqualTo(5004);
        assertThat(error.message()).isEqualTo("breaker 'db' is open");
        assertThat(error.category()).isEqualTo(ErrorCategory.INFRASTRUCTURE);
        assertThat(error.subcategory()).isEqualTo(ErrorSubcategory.PROTECTION);
        assertThat(error.context()).containsEntry("name", "db");
        assertThat(error.correlationId()).isEqualTo("req-42");
        assertThat(error.timestamp()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(error.cause()).isSameAs(cause);
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(12));
        assertThat(error.recoveryActions()).containsExactly("wait for the breaker to close");
        assertThat(error.isRetryable()).isTrue();
        assertThat(error.shouldEscalate()).isFalse();
    }

    @Test
    void retryDelayUsesRetryAfterForFixedDelay() {
        InfraError limited = InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED).retryAfter(Duration.ofMillis(1500)).build();
        assertThat(limited.retryDelay(0)).isEqualTo(Duration.ofMillis(1500));
        assertThat(limited.retryDelay(5)).isEqualTo(Duration.ofMillis(1500));

        InfraError unavailable = InfraError.of(CoreErrorCode.RATE_LIMITER_UNAVAILABLE, "redis down");
        assertThat(unavailable.retryDelay(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(unavailable.retryDelay(2)).isEqualTo(Duration.ofSeconds(4));

        assertThat(InfraError.of(CoreErrorCode.RATE_LIMITER_INVALID_INPUT, "bad").retryDelay(0)).isNull();
    }

    @Test
    void escalationFollowsSeverity() {
        assertThat(InfraError.of(CoreErrorCode.CIRCUIT_BREAKER_INSTALL_EXCEPTION, "x").shouldEscalate()).isTrue();
        assertThat(InfraError.of(CoreErrorCode.CIRCUIT_BREAKER_NOT_FOUND, "x").shouldEscalate()).isTrue();
        assertThat(InfraError.of(CoreErrorCode.RATE_LIMIT_EXCEEDED, "x").shouldEscalate()).isFalse();
        assertThat(InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED).severity(Severity.CRITICAL).build().shouldEscalate()).isTrue();
    }

    @Test
    void contextIsImmutableAndCopied() {
        Map<String, Object> source = new HashMap<>();
        source.put("entity", "user:1");
        InfraError error = InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED).context(source).context("ignored", null).build();
        source.put("entity", "changed");

        assertThat(error.context()).containsExactly(Map.entry("entity", "user:1"));
        assertThatThrownBy(() -> error.context().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void defaultsComeFromTheCatalogue() {
        InfraError error = InfraError.of(CoreErrorCode.BULKHEAD_FULL, null);
        assertThat(error.message()).isEqualTo("bulkhead full");
        assertThat(error.context()).isEmpty();
        assertThat(error.recoveryActions()).isEmpty();
        assertThat(error.retryAfter()).isNull();
        assertThat(error.timestamp()).isNotNull();
    }

    @Test
    void toBuilderDerivesAChangedCopy() {
        InfraError original = InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED).message("m").context("a", 1).build();
        InfraError copy = original.toBuilder().correlationId("c").build();
        assertThat(copy.correlationId()).isEqualTo("c");
        assertThat(copy.context()).isEqualTo(original.context());
        assertThat(copy.timestamp()).isEqualTo(original.timestamp());
        assertThat(original.correlationId()).isNull();
    }

    @Test
    void negativeRetryAfterIsRejected() {
        assertThatThrownBy(() -> InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED).retryAfter(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retryAfter")
                .hasMessageContaining("PT-0.001S");
    }

    @Test
    void rejectionExceptionsCarryNoStackTraceButFailuresDo() {
        InfraException rejection = InfraError.of(CoreErrorCode.CIRCUIT_BREAKER_BLOWN, "open").toException();
        InfraException failure = InfraError.builder(CoreErrorCode.PROTECTED_OPERATION_FAILED)
                .cause(new RuntimeException("x")).build().toException();

        assertThat(rejection.getStackTrace()).isEmpty();
        assertThat(failure.getStackTrace()).isNotEmpty();
        assertThat(failure.getCause()).hasMessage("x");
        assertThat(rejection.code()).isEqualTo(5004);
        assertThat(rejection.error().type()).isEqualTo(ErrorType.CIRCUIT_BREAKER_BLOWN);
        assertThat(rejection).hasMessage("open");
    }
}
