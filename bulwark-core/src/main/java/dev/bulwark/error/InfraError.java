package dev.bulwark.error;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A structured, immutable description of a failure: its numeric {@link #code() code} from the
 * {@link ErrorCode} catalogue, type, severity, category, context, and how a caller may recover
 * (retry strategy, {@code retryAfter}, recovery actions).
 *
 * <p>Create one with {@link #of(ErrorCode, String)} or {@link #builder(ErrorCode)}. An error is
 * a value: it captures no stack trace of its own ({@link #cause()} keeps the original exception,
 * when there is one). Instances are immutable and thread-safe.
 */
public final class InfraError {

    private final ErrorCode errorCode;
    private final String message;
    private final Severity severity;
    private final Map<String, Object> context;
    private final String correlationId;
    private final long timestampMillis;
    private final Throwable cause;
    private final RetryStrategy retryStrategy;
    private final Duration retryAfter;
    private final List<String> recoveryActions;

    private InfraError(Builder b) {
        this.errorCode = b.errorCode;
        this.message = b.message;
        this.severity = b.severity != null ? b.severity : b.errorCode.severity();
        this.context = b.context == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.context));
        this.correlationId = b.correlationId;
        this.timestampMillis = b.timestampMillis != Long.MIN_VALUE ? b.timestampMillis : System.currentTimeMillis();
        this.cause = b.cause;
        this.retryStrategy = b.retryStrategy != null ? b.retryStrategy : b.errorCode.retryStrategyFor(b.cause);
        this.retryAfter = b.retryAfter;
        this.recoveryActions = b.recoveryActions == null ? List.of() : List.copyOf(b.recoveryActions);
    }

    /** An error of {@code code} with a message and the catalogue's defaults for everything else. */
    public static InfraError of(ErrorCode code, String message) {
        return builder(code).message(message).build();
    }

    /** A builder for an error of {@code code}; unset fields take the catalogue's defaults. */
    public static Builder builder(ErrorCode code) {
        return new Builder(code);
    }

    /** A builder pre-filled with this error's fields, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(errorCode);
        b.message = message;
        b.severity = severity;
        b.context = context.isEmpty() ? null : new LinkedHashMap<>(context);
        b.correlationId = correlationId;
        b.timestampMillis = timestampMillis;
        b.cause = cause;
        b.retryStrategy = retryStrategy;
        b.retryAfter = retryAfter;
        b.recoveryActions = recoveryActions.isEmpty() ? null : recoveryActions;
        return b;
    }

    /** The numeric code, e.g. 5004 for a blown circuit breaker. */
    public int code() {
        return errorCode.code();
    }

    /** The catalogue entry of this error. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    public ErrorType type() {
        return errorCode.type();
    }

    public String message() {
        return message;
    }

    public Severity severity() {
        return severity;
    }

    public ErrorCategory category() {
        return errorCode.category();
    }

    public ErrorSubcategory subcategory() {
        return errorCode.subcategory();
    }

    /** Free-form details (breaker name, entity id, limit...); immutable. */
    public Map<String, Object> context() {
        return context;
    }

    /** The correlation id of the request that failed, or null. */
    public String correlationId() {
        return correlationId;
    }

    /** When the error was created (wall clock). */
    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }

    /** The exception that caused this error, or null. */
    public Throwable cause() {
        return cause;
    }

    public RetryStrategy retryStrategy() {
        return retryStrategy;
    }

    /** The exact wait before a retry can succeed, when known (rate limit, open breaker); else null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Human-readable steps that may resolve the error; immutable. */
    public List<String> recoveryActions() {
        return recoveryActions;
    }

    /** Whether a retry may succeed. */
    public boolean isRetryable() {
        return retryStrategy.isRetryable();
    }

    /** Whether the error is severe enough to escalate ({@link Severity#HIGH} or {@link Severity#CRITICAL}). */
    public boolean shouldEscalate() {
        return severity.shouldEscalate();
    }

    /** Whether this error is a protection's refusal rather than a failure of the call. */
    public boolean isRejection() {
        return errorCode.isRejection();
    }

    /**
     * The wait before retry number {@code attempt} (0 for the first retry), following the
     * {@link #retryStrategy() retry strategy}; a fixed delay uses {@link #retryAfter()} when known.
     *
     * @return the delay, or null when the error is not retryable
     */
    public Duration retryDelay(int attempt) {
        return retryStrategy.delay(attempt, retryAfter);
    }

    /** The HTTP status for this error: 429, 503, 504 or 500 (see {@link ErrorCode#httpStatus()}). */
    public int httpStatus() {
        return errorCode.httpStatus();
    }

    /** This error as an unchecked exception; rejections carry no stack trace. */
    public InfraException toException() {
        return new InfraException(this);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("InfraError[").append(errorCode.code()).append(' ')
                .append(errorCode.type()).append(": ").append(message);
        if (retryAfter != null) {
            sb.append(", retryAfter=").append(retryAfter);
        }
        if (!context.isEmpty()) {
            sb.append(", context=").append(context);
        }
        if (cause != null) {
            sb.append(", cause=").append(cause);
        }
        return sb.append(']').toString();
    }

    /** Builds an {@link InfraError}; not thread-safe. */
    public static final class Builder {
        private final ErrorCode errorCode;
        private String message;
        private Severity severity;
        private Map<String, Object> context;
        private String correlationId;
        private long timestampMillis = Long.MIN_VALUE;
        private Throwable cause;
        private RetryStrategy retryStrategy;
        private Duration retryAfter;
        private List<String> recoveryActions;

        private Builder(ErrorCode errorCode) {
            this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
        }

        public Builder message(String message) {
            this.message = message;
            return this;
        }

        /** Overrides the catalogue's severity. */
        public Builder severity(Severity severity) {
            this.severity = severity;
            return this;
        }

        /** Adds one context entry; a null value is ignored. */
        public Builder context(String key, Object value) {
            Objects.requireNonNull(key, "context key");
            if (value != null) {
                if (context == null) {
                    context = new LinkedHashMap<>();
                }
                context.put(key, value);
            }
            return this;
        }

        /** Adds all entries of {@code entries}. */
        public Builder context(Map<String, ?> entries) {
            Objects.requireNonNull(entries, "entries").forEach(this::context);
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        /** Sets the creation time (epoch millis); default: now. */
        public Builder timestampMillis(long epochMillis) {
            this.timestampMillis = epochMillis;
            return this;
        }

        public Builder cause(Throwable cause) {
            this.cause = cause;
            return this;
        }

        /** Overrides the strategy derived from the code and the cause. */
        public Builder retryStrategy(RetryStrategy retryStrategy) {
            this.retryStrategy = retryStrategy;
            return this;
        }

        public Builder retryAfter(Duration retryAfter) {
            if (retryAfter != null && retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
            }
            this.retryAfter = retryAfter;
            return this;
        }

        public Builder recoveryActions(List<String> actions) {
            this.recoveryActions = actions;
            return this;
        }

        public InfraError build() {
            if (message == null) {
                message = errorCode.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            }
            return new InfraError(this);
        }
    }
}
