package dev.bulwark.spi;

/** A registration that can be undone (a registry listener, say); closing twice is a no-op. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Undoes the registration. */
    @Override
    void close();
}
