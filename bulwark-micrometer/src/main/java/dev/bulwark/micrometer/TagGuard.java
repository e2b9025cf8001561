package dev.bulwark.micrometer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cardinality bound of one tag key of one component: at most {@code max} distinct values are
 * admitted; later values are refused (their events are reported under the overflow value) until an
 * admitted value is {@linkplain #release released}. Thread-safe: admission reserves a place with a
 * compare-and-set, so concurrent admissions never exceed the bound.
 */
final class TagGuard {

    final String component;
    final String key;
    private final int max;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger size = new AtomicInteger();
    final LongAdder overflows = new LongAdder();

    TagGuard(String component, String key, int max) {
        this.component = component;
        this.key = key;
        this.max = max;
    }

    /** Whether {@code value} may be a tag value (already admitted, or admitted now). */
    boolean admit(String value) {
        if (admitted.contains(value)) {
            return true;
        }
        synchronized (this) {
            if (admitted.contains(value)) {
                return true;
            }
            if (size.get() >= max) {
                overflows.increment();
                return false;
            }
            admitted.add(value);
            size.incrementAndGet();
            return true;
        }
    }

    /** Whether {@code value} would be refused now (the bound is reached and it is not admitted); takes no lock. */
    boolean refuses(String value) {
        return size.get() >= max && !admitted.contains(value);
    }

    /** Gives the place of {@code value} back. */
    synchronized void release(String value) {
        if (admitted.remove(value)) {
            size.decrementAndGet();
        }
    }

    int size() {
        return size.get();
    }
}
