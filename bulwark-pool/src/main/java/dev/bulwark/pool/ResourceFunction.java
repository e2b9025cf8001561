package dev.bulwark.pool;

/**
 * Work done with a checked-out resource ({@link Pool#withResource}); it may throw anything.
 *
 * @param <T> the resource type
 * @param <R> the result type
 */
@FunctionalInterface
public interface ResourceFunction<T, R> {

    /** Does the work with {@code resource}; the resource must not be kept after returning. */
    R apply(T resource) throws Exception;
}
