package dev.bulwark.pool;

import java.util.Objects;

/**
 * How a protected call reaches the resource its {@link PoolStage pool stage} checked out: while the
 * call's operation runs (for an asynchronous call: while its supplier starts the work), the
 * resource is the current thread's.
 *
 * <pre>{@code
 * Protection protection = Protection.builder()
 *         .stage(PoolStage.of("inventory"))
 *         .build(infra);
 * Result<Stock> stock = protection.execute(() -> PooledCall.resource(InventoryClient.class).stock("sku-1"));
 * }</pre>
 *
 * <p>The resource must not be kept after the operation returns (for an asynchronous call: after
 * its stage completes): the pool stage gives it back then.
 */
public final class PooledCall {

    private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

    private PooledCall() {
    }

    /**
     * The resource of the call running on this thread.
     *
     * @throws NullPointerException  if {@code type} is null
     * @throws IllegalStateException if no pooled call runs on this thread, or its resource is not a {@code type}
     */
    public static <T> T resource(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Object resource = CURRENT.get();
        if (resource == null) {
            throw new IllegalStateException("no pooled resource on this thread: the call does not run under a pool"
                    + " stage (or it is used outside the operation)");
        }
        if (!type.isInstance(resource)) {
            throw new IllegalStateException("the pooled resource is a " + resource.getClass().getName() + ", not a "
                    + type.getName());
        }
        return type.cast(resource);
    }

    /** Whether a pooled call runs on this thread. */
    public static boolean active() {
        return CURRENT.get() != null;
    }

    static Object enter(Object resource) {
        Object previous = CURRENT.get();
        CURRENT.set(resource);
        return previous;
    }

    static void exit(Object previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
