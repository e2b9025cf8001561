package dev.bulwark.pool;

/**
 * The {@link ResourceFactory} of a {@link KeyedPool}: the same contract, with the key the resource
 * belongs to (a shard, a tenant's endpoint, a host). Implementations must be thread-safe.
 *
 * @param <K> the key type
 * @param <T> the resource type
 */
public interface KeyedResourceFactory<K, T> {

    /** A new resource for {@code key}; see {@link ResourceFactory#create()}. */
    T create(K key) throws Exception;

    /** Whether {@code resource} of {@code key} may still be used; see {@link ResourceFactory#validate}. */
    default boolean validate(K key, T resource) throws Exception {
        return true;
    }

    /** Disposes of {@code resource} of {@code key}; see {@link ResourceFactory#destroy}. */
    default void destroy(K key, T resource) throws Exception {
    }
}
