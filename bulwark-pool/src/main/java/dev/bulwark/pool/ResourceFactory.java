package dev.bulwark.pool;

/**
 * Makes, checks and disposes of the resources of a {@link Pool}: client connections, sessions,
 * parsers. The pool calls it from the checking-out caller's thread ({@link #create},
 * {@link #validate} on borrow), from its maintenance sweep ({@link #validate} while idle,
 * {@link #destroy} of evicted resources) and from whichever thread gives a resource back
 * ({@link #destroy} of a poisoned one). Implementations must be thread-safe.
 *
 * @param <T> the resource type
 */
public interface ResourceFactory<T> {

    /**
     * A new resource. Throwing counts as a creation failure on the pool's breaker and answers the
     * caller with 7102 POOL_RESOURCE_FAILED (the exception as cause).
     *
     * @return the resource, never null
     * @throws Exception if it cannot be made
     */
    T create() throws Exception;

    /**
     * Whether {@code resource} may still be used (a connection that still answers). The default
     * says yes. Returning false or throwing destroys the resource; on borrow it also counts as a
     * validation failure on the pool's breaker when the resource was just created.
     */
    default boolean validate(T resource) throws Exception {
        return true;
    }

    /**
     * Disposes of {@code resource}; called once per created resource. What it throws is dropped
     * (the resource counts as destroyed).
     */
    default void destroy(T resource) throws Exception {
    }
}
