package dev.bulwark.spi;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The listeners of one registry, for registries written against this SPI (core's and modules'):
 * {@link #subscribe} adds a listener and tells it of the entries present, the {@code fire}
 * methods tell every listener of a change. A listener that throws is logged and kept.
 *
 * <p>Thread-safe; call the {@code fire} methods outside the registry's locks.
 *
 * @param <E> the entry type
 */
public final class RegistryListeners<E> {

    private static final System.Logger LOG = System.getLogger(RegistryListeners.class.getName());

    private final String registry;
    private final CopyOnWriteArrayList<RegistryListener<? super E>> listeners = new CopyOnWriteArrayList<>();

    /** Listeners of the registry called {@code registry} (used in log messages). */
    public RegistryListeners(String registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Adds {@code listener} and tells it of every entry {@code present} returns now, by name.
     *
     * @return a subscription whose {@code close()} removes the listener
     */
    public Subscription subscribe(RegistryListener<? super E> listener, Supplier<Map<String, E>> present) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(present, "present");
        listeners.add(listener);
        present.get().forEach((name, entry) -> safely(() -> listener.added(name, entry), "added", name));
        return () -> listeners.remove(listener);
    }

    public void fireAdded(String name, E entry) {
        for (RegistryListener<? super E> l : listeners) {
            safely(() -> l.added(name, entry), "added", name);
        }
    }

    public void fireRemoved(String name, E entry) {
        for (RegistryListener<? super E> l : listeners) {
            safely(() -> l.removed(name, entry), "removed", name);
        }
    }

    public void fireReplaced(String name, E previous, E current) {
        for (RegistryListener<? super E> l : listeners) {
            safely(() -> l.replaced(name, previous, current), "replaced", name);
        }
    }

    private void safely(Runnable call, String what, String name) {
        try {
            call.run();
        } catch (VirtualMachineError fatal) {
            throw fatal; // the registry's bookkeeping is done: it reaches the caller, stranding nothing
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "a listener of " + registry + " threw on " + what + " of '" + name + "'", e);
        }
    }
}
