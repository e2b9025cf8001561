package dev.bulwark.pool;

/**
 * What Commons Pool holds for Bulwark: one resource with the times Bulwark decides on, read from
 * the infrastructure's clock (Commons Pool's own timestamps are on the system clock and are not
 * used), and the reason it will be destroyed for.
 */
final class Entry<T> {
    final T resource;
    final Lane<T> lane;
    final long id;
    final long createdNanos;
    volatile long returnedNanos;
    volatile long validatedNanos;
    volatile String destroyReason = Reasons.INVALIDATED;

    Entry(T resource, Lane<T> lane, long id, long now) {
        this.resource = resource;
        this.lane = lane;
        this.id = id;
        this.createdNanos = now;
        this.returnedNanos = now;
        this.validatedNanos = now;
    }

    @Override
    public String toString() {
        return "resource #" + id + " of " + lane;
    }
}
