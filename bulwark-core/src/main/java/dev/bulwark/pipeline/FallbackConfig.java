package dev.bulwark.pipeline;

import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.InfraError;
import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a {@link Fallback} answers when a call fails: the last good value if it is recent enough,
 * then a static value, an alternate supplier, or a value computed from the error. Immutable.
 *
 * <pre>{@code
 * FallbackConfig<Price> cfg = FallbackConfig.<Price>builder()
 *         .lastGoodValue(Duration.ofMinutes(5))   // serve the last known price for 5 minutes
 *         .value(Price.UNKNOWN)                   // then a static answer
 *         .build();
 * }</pre>
 *
 * <p>The last good value is tried first (fresh real data beats a placeholder); when it is missing
 * or older than its maximum age, the value / supplier / function answers, if one is set; when
 * none can answer, the original error is returned. {@link Builder#handleIf} restricts which
 * errors are replaced (by default, all).
 *
 * @param <T> the type of the substituted value
 */
public final class FallbackConfig<T> {

    private final Duration lastGoodMaxAge;
    private final boolean hasValue;
    private final T value;
    private final ThrowingSupplier<? extends T> supplier;
    private final Function<? super InfraError, ? extends T> function;
    private final Predicate<? super InfraError> handleIf;

    private FallbackConfig(Builder<T> b) {
        this.lastGoodMaxAge = b.lastGoodMaxAge;
        this.hasValue = b.hasValue;
        this.value = b.value;
        this.supplier = b.supplier;
        this.function = b.function;
        this.handleIf = b.handleIf;
    }

    /** A fallback that answers {@code value} (which may be null). */
    public static <T> FallbackConfig<T> ofValue(T value) {
        return FallbackConfig.<T>builder().value(value).build();
    }

    /** A fallback that asks {@code supplier}, an alternate source. */
    public static <T> FallbackConfig<T> ofSupplier(ThrowingSupplier<? extends T> supplier) {
        return FallbackConfig.<T>builder().supplier(supplier).build();
    }

    /** A fallback that computes its answer from the error. */
    public static <T> FallbackConfig<T> ofFunction(Function<? super InfraError, ? extends T> function) {
        return FallbackConfig.<T>builder().function(function).build();
    }

    /** A fallback that answers the last good value while it is at most {@code maxAge} old. */
    public static <T> FallbackConfig<T> ofLastGoodValue(Duration maxAge) {
        return FallbackConfig.<T>builder().lastGoodValue(maxAge).build();
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** The maximum age of a last good value served, or null when last good values are not kept. */
    public Duration lastGoodMaxAge() {
        return lastGoodMaxAge;
    }

    /** Whether a static value is set ({@link #value()} may be null). */
    public boolean hasValue() {
        return hasValue;
    }

    public T value() {
        return value;
    }

    public ThrowingSupplier<? extends T> supplier() {
        return supplier;
    }

    public Function<? super InfraError, ? extends T> function() {
        return function;
    }

    /** Which errors are replaced, or null for all. */
    public Predicate<? super InfraError> handleIf() {
        return handleIf;
    }

    /**
     * Value equality: the last-good age and the static value compare by value ({@code equals}); the
     * supplier, function and {@code handleIf} predicate compare by identity (the same instance). So a
     * fallback rebuilt from the same values keeps its last good value across a reconfiguration.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof FallbackConfig<?> c && Objects.equals(lastGoodMaxAge, c.lastGoodMaxAge)
                && hasValue == c.hasValue && Objects.equals(value, c.value) && supplier == c.supplier
                && function == c.function && handleIf == c.handleIf;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lastGoodMaxAge, hasValue, value, System.identityHashCode(supplier),
                System.identityHashCode(function), System.identityHashCode(handleIf));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FallbackConfig[");
        if (lastGoodMaxAge != null) {
            sb.append("lastGood<=").append(lastGoodMaxAge).append(' ');
        }
        if (hasValue) {
            sb.append("value=").append(value).append(' ');
        }
        if (supplier != null) {
            sb.append("supplier ");
        }
        if (function != null) {
            sb.append("function ");
        }
        return sb.toString().trim() + "]";
    }

    /** Builds a {@link FallbackConfig}; not thread-safe. Value, supplier and function exclude each other. */
    public static final class Builder<T> {
        private Duration lastGoodMaxAge;
        private boolean hasValue;
        private T value;
        private ThrowingSupplier<? extends T> supplier;
        private Function<? super InfraError, ? extends T> function;
        private Predicate<? super InfraError> handleIf;

        private Builder() {
        }

        /**
         * Keeps the value of each success and answers it while it is at most {@code maxAge} old.
         *
         * @throws IllegalArgumentException if {@code maxAge} is not positive, or longer than
         *                                  {@link Durations#MAX} (365 days)
         */
        public Builder<T> lastGoodValue(Duration maxAge) {
            this.lastGoodMaxAge = Durations.requirePositive("maxAge", maxAge);
            return this;
        }

        /**
         * Answers {@code value} (which may be null).
         *
         * @throws IllegalStateException if a supplier or function is already set
         */
        public Builder<T> value(T value) {
            requireNoAlternative("value");
            this.hasValue = true;
            this.value = value;
            return this;
        }

        /**
         * Asks {@code supplier}; if it throws, the result is error 7005 (FALLBACK_FAILED).
         *
         * @throws IllegalStateException if a value or function is already set
         */
        public Builder<T> supplier(ThrowingSupplier<? extends T> supplier) {
            Objects.requireNonNull(supplier, "supplier");
            requireNoAlternative("supplier");
            this.supplier = supplier;
            return this;
        }

        /**
         * Computes the answer from the error; if it throws, the result is error 7005.
         *
         * @throws IllegalStateException if a value or supplier is already set
         */
        public Builder<T> function(Function<? super InfraError, ? extends T> function) {
            Objects.requireNonNull(function, "function");
            requireNoAlternative("function");
            this.function = function;
            return this;
        }

        /** Replaces only the errors {@code predicate} accepts; others are returned as they are. */
        public Builder<T> handleIf(Predicate<? super InfraError> predicate) {
            this.handleIf = Objects.requireNonNull(predicate, "predicate");
            return this;
        }

        /**
         * @throws IllegalStateException if nothing to answer with was set
         */
        public FallbackConfig<T> build() {
            if (lastGoodMaxAge == null && !hasValue && supplier == null && function == null) {
                throw new IllegalStateException("a fallback needs a last good value, a value, a supplier or a function");
            }
            return new FallbackConfig<>(this);
        }

        private void requireNoAlternative(String setting) {
            String existing = hasValue ? "value" : supplier != null ? "supplier" : function != null ? "function" : null;
            if (existing != null) {
                throw new IllegalStateException("cannot set " + setting + ": a " + existing + " is already set");
            }
        }
    }
}
