package dev.bulwark.eventstore;

import dev.bulwark.telemetry.EventName;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded multi-producer, single-consumer ring of events held in parallel arrays, so that
 * enqueueing allocates nothing: a producer claims a position with one CAS, writes the four fields
 * of its slot and publishes it with a release store of the slot's sequence (D. Vyukov's bounded
 * queue). A full ring refuses at once; a producer never waits.
 *
 * <p>Slot {@code i} is free for position {@code p} when its sequence is {@code p}, and holds the
 * event of position {@code p} when its sequence is {@code p + 1}; the consumer frees it for
 * {@code p + capacity}.
 */
final class EventRing {

    /** Receives drained events on the consumer's thread. */
    interface Sink {
        void accept(EventName name, Map<String, Number> measurements, Map<String, Object> metadata, long timestampMillis);
    }

    private final int capacity;
    private final int mask;
    private final AtomicLongArray sequences;
    private final EventName[] names;
    private final Object[] measurements;
    private final Object[] metadata;
    private final long[] times;
    private final AtomicLong tail = new AtomicLong();
    private volatile long head;

    EventRing(int requestedCapacity) {
        int c = Integer.highestOneBit(Math.max(2, requestedCapacity - 1)) << 1;
        this.capacity = requestedCapacity <= 2 ? 2 : c;
        this.mask = capacity - 1;
        this.sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
        this.names = new EventName[capacity];
        this.measurements = new Object[capacity];
        this.metadata = new Object[capacity];
        this.times = new long[capacity];
    }

    int capacity() {
        return capacity;
    }

    /** Enqueues an event; false (at once) when the ring is full. Any thread. */
    boolean offer(EventName name, Map<String, Number> m, Map<String, Object> md, long timestampMillis) {
        long pos = tail.get();
        while (true) {
            int slot = (int) pos & mask;
            long seq = sequences.getAcquire(slot);
            long diff = seq - pos;
            if (diff == 0) {
                if (tail.weakCompareAndSetVolatile(pos, pos + 1)) {
                    names[slot] = name;
                    measurements[slot] = m;
                    metadata[slot] = md;
                    times[slot] = timestampMillis;
                    sequences.setRelease(slot, pos + 1);
                    return true;
                }
                pos = tail.get();
            } else if (diff < 0) {
                return false;
            } else {
                pos = tail.get();
            }
        }
    }

    /** Hands up to {@code max} published events to {@code sink}, in order; returns how many. Consumer only. */
    @SuppressWarnings("unchecked")
    int drain(Sink sink, int max) {
        long h = head;
        int n = 0;
        while (n < max) {
            int slot = (int) h & mask;
            if (sequences.getAcquire(slot) != h + 1) {
                break;
            }
            EventName name = names[slot];
            Map<String, Number> m = (Map<String, Number>) measurements[slot];
            Map<String, Object> md = (Map<String, Object>) metadata[slot];
            long ts = times[slot];
            names[slot] = null;
            measurements[slot] = null;
            metadata[slot] = null;
            sequences.setRelease(slot, h + capacity);
            h++;
            n++;
            head = h;
            sink.accept(name, m, md, ts);
        }
        return n;
    }

    /** Positions claimed so far: every event ever accepted. */
    long accepted() {
        return tail.get();
    }

    /** Positions consumed so far. */
    long consumed() {
        return head;
    }

    /** Events waiting (a snapshot). */
    int size() {
        return (int) Math.max(0, Math.min(capacity, tail.get() - head));
    }
}
