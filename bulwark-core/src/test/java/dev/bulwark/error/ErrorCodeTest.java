package dev.bulwark.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorCodeTest {

    /** The contract table of DESIGN §3 plus the foundation and pipeline codes; "-" = per cause. */
    @ParameterizedTest(name = "{0} is {1}, {2}, retry {3}, http {4}")
    @CsvSource({
            "5001, CIRCUIT_BREAKER_INSTALL_FAILED, HIGH, NO_RETRY, 500",
            "5002, CIRCUIT_BREAKER_EXCEPTION, CRITICAL, NO_RETRY, 500",
            "5003, PROTECTED_OPERATION_FAILED, MEDIUM, -, 500",
            "5004, CIRCUIT_BREAKER_BLOWN, MEDIUM, FIXED_DELAY, 503",
            "5005, CIRCUIT_BREAKER_NOT_FOUND, HIGH, NO_RETRY, 500",
            "5006, CIRCUIT_BREAKER_EXCEPTION, CRITICAL, NO_RETRY, 500",
            "5007, CIRCUIT_BREAKER_NOT_FOUND, MEDIUM, NO_RETRY, 500",
            "5008, CIRCUIT_BREAKER_EXCEPTION, MEDIUM, NO_RETRY, 500",
            "5009, INVALID_INPUT, MEDIUM, NO_RETRY, 500",
            "5011, INVALID_INPUT, MEDIUM, NO_RETRY, 500",
            "5012, PROTECTED_OPERATION_FAILED, MEDIUM, -, 500",
            "5013, CIRCUIT_BREAKER_NOT_FOUND, MEDIUM, NO_RETRY, 500",
            "5014, CIRCUIT_BREAKER_EXCEPTION, MEDIUM, NO_RETRY, 500",
            "6001, RATE_LIMIT_EXCEEDED, MEDIUM, FIXED_DELAY, 429",
            "6003, RATE_LIMITER_EXCEPTION, CRITICAL, NO_RETRY, 500",
            "6007, RATE_LIMITER_EXCEPTION, MEDIUM, NO_RETRY, 500",
            "6008, RATE_LIMITED_OPERATION_FAILED, MEDIUM, -, 500",
            "6009, INVALID_INPUT, MEDIUM, NO_RETRY, 500",
            "6010, RATE_LIMITER_UNAVAILABLE, HIGH, EXPONENTIAL_BACKOFF, 503",
            "7001, BULKHEAD_FULL, MEDIUM, FIXED_DELAY, 503",
            "7002, OPERATION_TIMED_OUT, MEDIUM, EXPONENTIAL_BACKOFF, 504",
            "7003, RETRIES_EXHAUSTED, MEDIUM, NO_RETRY, 500",
            "7004, RETRY_BUDGET_EXHAUSTED, MEDIUM, NO_RETRY, 500",
            "7005, FALLBACK_FAILED, MEDIUM, -, 500",
            "7006, PROTECTION_NOT_FOUND, HIGH, NO_RETRY, 500",
            "7007, PROTECTION_CONFIG_INVALID, HIGH, NO_RETRY, 500",
            "1101, INVALID_CONFIG_STRUCTURE, HIGH, NO_RETRY, 500",
            "1201, INVALID_CONFIG_VALUE, HIGH, NO_RETRY, 500",
            "1301, CONFIG_NOT_FOUND, MEDIUM, NO_RETRY, 500",
            "2101, INITIALIZATION_FAILED, CRITICAL, NO_RETRY, 500",
            "2102, SERVICE_UNAVAILABLE, HIGH, EXPONENTIAL_BACKOFF, 503",
            "2201, RESOURCE_EXHAUSTED, HIGH, EXPONENTIAL_BACKOFF, 503",
            "3201, DATA_NOT_FOUND, LOW, NO_RETRY, 500",
            "3203, VALIDATION_FAILED, MEDIUM, NO_RETRY, 500",
            "3204, INVALID_INPUT, MEDIUM, NO_RETRY, 500",
            "4101, NETWORK_ERROR, MEDIUM, EXPONENTIAL_BACKOFF, 500",
            "4201, EXTERNAL_SERVICE_ERROR, MEDIUM, EXPONENTIAL_BACKOFF, 500",
            "4301, TIMEOUT, MEDIUM, EXPONENTIAL_BACKOFF, 504",
            "9999, UNKNOWN, MEDIUM, NO_RETRY, 500",
    })
    void everyCodeHasItsTypeSeverityRetryStrategyAndHttpStatus(int code, ErrorType type, Severity severity,
                                                               String retry, int http) {
        ErrorCode entry = CoreErrorCode.of(code);
        InfraError error = InfraError.of(entry, "boom");

        assertThat(error.code()).isEqualTo(code);
        assertThat(error.type()).isEqualTo(type);
        assertThat(error.severity()).isEqualTo(severity);
        assertThat(error.httpStatus()).isEqualTo(http);
        if (retry.equals("-")) {
            assertThat(entry.defaultRetryStrategy()).as("per-cause code").isNull();
        } else {
            assertThat(error.retryStrategy()).isEqualTo(RetryStrategy.valueOf(retry));
        }
    }

    @Test
    void categoryFollowsTheThousandsDigit() {
        for (ErrorCode c : CoreErrorCode.values()) {
            ErrorCategory expected = switch (c.code() / 1000) {
                case 1 -> ErrorCategory.CONFIG;
                case 2, 9 -> ErrorCategory.SYSTEM;
                case 3 -> ErrorCategory.DATA;
                case 4 -> ErrorCategory.EXTERNAL;
                default -> c == CoreErrorCode.PROTECTION_CONFIG_INVALID ? ErrorCategory.CONFIG : ErrorCategory.INFRASTRUCTURE;
            };
            assertThat(c.category()).as("category of %s", c).isEqualTo(expected);
        }
    }

    @Test
    void onlyProtectionRefusalsAreRejections() {
        assertThat(Arrays.stream(CoreErrorCode.values()).filter(ErrorCode::isRejection).map(ErrorCode::code))
                .containsExactlyInAnyOrder(5004, 6001, 6010, 7001, 7002, 7201, 7202);
    }

    @Test
    void codesAreUniqueAndLookupRejectsUnknownCodes() {
        assertThat(Arrays.stream(CoreErrorCode.values()).map(ErrorCode::code).distinct().count())
                .isEqualTo(CoreErrorCode.values().length);
        assertThatThrownBy(() -> CoreErrorCode.of(1234))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1234");
    }

    @Test
    void perCauseCodesDeriveTheirStrategyFromTheCause() {
        InfraError io = InfraError.builder(CoreErrorCode.PROTECTED_OPERATION_FAILED).cause(new IOException("reset")).build();
        InfraError bug = InfraError.builder(CoreErrorCode.PROTECTED_OPERATION_FAILED).cause(new IllegalStateException()).build();
        InfraError error = InfraError.builder(CoreErrorCode.PROTECTED_OPERATION_ERROR).cause(new StackOverflowError()).build();
        InfraError nested = InfraError.builder(CoreErrorCode.RATE_LIMITED_OPERATION_FAILED)
                .cause(InfraError.of(CoreErrorCode.CIRCUIT_BREAKER_BLOWN, "open").toException()).build();

        assertThat(io.retryStrategy()).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
        assertThat(bug.retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(error.retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(nested.retryStrategy()).isEqualTo(RetryStrategy.FIXED_DELAY);
    }
}
