package dev.bulwark.spi;

/**
 * Told when a registry of named entries (breakers, named protections, pools, health checks)
 * gains or loses one, so that a binder (meters, a dashboard) follows entries as they come and go.
 * A listener added to a registry that already has entries is first told of each of them with
 * {@link #added}. Called on the thread that changed the registry, outside the registry's locks;
 * a listener that throws is logged and kept, and the change stands.
 *
 * @param <E> the entry type
 */
public interface RegistryListener<E> {

    /** {@code entry} is now in the registry under {@code name}. */
    void added(String name, E entry);

    /** {@code entry} was removed from the registry. */
    void removed(String name, E entry);

    /** The entry under {@code name} was replaced (a named protection reconfigured); by default nothing. */
    default void replaced(String name, E previous, E current) {
    }
}
