package dev.bulwark;

/**
 * A supplier that may throw checked exceptions: the shape of the user code every protection
 * runs. A {@link java.util.concurrent.Callable} fits through a method reference ({@code callable::call}).
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface ThrowingSupplier<T> {
    T get() throws Exception;
}
