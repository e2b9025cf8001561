package dev.bulwark;

import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The outcome of a protected call: {@link Ok} with a value, or {@link Err} with an
 * {@link InfraError}. Protections' {@code execute(...)} methods return a {@code Result} and never
 * throw for an expected failure; use {@link #getOrThrow()} to turn it into the throwing form.
 *
 * <pre>{@code
 * Result<User> user = breaker.execute(() -> users.load(id));
 * switch (user) {   // or: if (user instanceof Result.Err<User> err) ...
 *     ...
 * }
 * String name = user.map(User::name).orElse("anonymous");
 * }</pre>
 *
 * @param <T> the value type
 */
public sealed interface Result<T> permits Result.Ok, Result.Err {

    /** A successful outcome. The value may be null when the call returned null. */
    record Ok<T>(T value) implements Result<T> {
    }

    /** A failed outcome. */
    record Err<T>(InfraError error) implements Result<T> {
        public Err {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T> Result<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Result<T> err(InfraError error) {
        return new Err<>(error);
    }

    /** Whether this is an {@link Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /** Whether this is an {@link Err}. */
    default boolean isErr() {
        return this instanceof Err;
    }

    /** The value, if this is an {@link Ok} with a non-null value (an {@link Ok} exposes it as {@code value()}). */
    default Optional<T> okValue() {
        return this instanceof Ok<T> ok ? Optional.ofNullable(ok.value()) : Optional.empty();
    }

    /** The error, if this is an {@link Err} (an {@link Err} exposes it as {@code error()}). */
    default Optional<InfraError> errValue() {
        return this instanceof Err<T> err ? Optional.of(err.error()) : Optional.empty();
    }

    /** Applies {@code f} to the value of an {@link Ok}; an {@link Err} passes through. */
    @SuppressWarnings("unchecked")
    default <U> Result<U> map(Function<? super T, ? extends U> f) {
        Objects.requireNonNull(f, "f");
        return this instanceof Ok<T> ok ? new Ok<>(f.apply(ok.value())) : (Result<U>) this;
    }

    /** Applies {@code f} to the error of an {@link Err}; an {@link Ok} passes through. */
    default Result<T> mapError(Function<? super InfraError, InfraError> f) {
        Objects.requireNonNull(f, "f");
        return this instanceof Err<T> err ? new Err<>(f.apply(err.error())) : this;
    }

    /** Chains a second step that itself returns a {@code Result}. */
    @SuppressWarnings("unchecked")
    default <U> Result<U> flatMap(Function<? super T, Result<U>> f) {
        Objects.requireNonNull(f, "f");
        return this instanceof Ok<T> ok ? Objects.requireNonNull(f.apply(ok.value()), "flatMap result") : (Result<U>) this;
    }

    /** The value, or {@code other} on error. */
    default T orElse(T other) {
        return this instanceof Ok<T> ok ? ok.value() : other;
    }

    /** The value, or what {@code recovery} computes from the error. */
    default T recover(Function<? super InfraError, ? extends T> recovery) {
        Objects.requireNonNull(recovery, "recovery");
        return this instanceof Ok<T> ok ? ok.value() : recovery.apply(((Err<T>) this).error());
    }

    /** The value, or what {@code other} supplies on error. */
    default T orElseGet(Supplier<? extends T> other) {
        Objects.requireNonNull(other, "other");
        return this instanceof Ok<T> ok ? ok.value() : other.get();
    }

    /**
     * The value of an {@link Ok}.
     *
     * @throws InfraException carrying the error of an {@link Err}
     */
    default T getOrThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw ((Err<T>) this).error().toException();
    }

    /** Runs {@code action} with the value of an {@link Ok}; returns this result. */
    default Result<T> ifOk(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        if (this instanceof Ok<T> ok) {
            action.accept(ok.value());
        }
        return this;
    }

    /** Runs {@code action} with the error of an {@link Err}; returns this result. */
    default Result<T> ifErr(Consumer<? super InfraError> action) {
        Objects.requireNonNull(action, "action");
        if (this instanceof Err<T> err) {
            action.accept(err.error());
        }
        return this;
    }

    /** Folds both cases into one value. */
    default <U> U fold(Function<? super T, ? extends U> onOk, Function<? super InfraError, ? extends U> onErr) {
        Objects.requireNonNull(onOk, "onOk");
        Objects.requireNonNull(onErr, "onErr");
        return this instanceof Ok<T> ok ? onOk.apply(ok.value()) : onErr.apply(((Err<T>) this).error());
    }
}
