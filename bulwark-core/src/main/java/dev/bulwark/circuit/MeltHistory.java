package dev.bulwark.circuit;

/**
 * Fuse's melt counting: the times of the last {@code maxMelts + 1} failures. A melt blows the fuse
 * when it is melt number {@code maxMelts + 1} within the window, that is when the oldest of the
 * last {@code maxMelts + 1} melts happened less than a window ago.
 *
 * <p>Only failures come here, so a lock is cheap and makes the decision exact under concurrency.
 */
final class MeltHistory {

    private final long[] times;
    private final long windowNanos;
    private int next;
    private int count;

    MeltHistory(int maxMelts, long windowNanos) {
        this.times = new long[maxMelts + 1];
        this.windowNanos = windowNanos;
    }

    /** Records a melt at {@code now}; returns whether it blows the fuse. */
    synchronized boolean melt(long now) {
        times[next] = now;
        next = next + 1 == times.length ? 0 : next + 1;
        if (count < times.length) {
            count++;
        }
        return count == times.length && now - times[next] < windowNanos;
    }
}
