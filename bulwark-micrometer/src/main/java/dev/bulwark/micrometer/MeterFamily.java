package dev.bulwark.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The series of one meter name: a tree with one level per tag key, whose leaves hold the
 * registered meter (or what records into it) of one combination of tag values.
 *
 * <p><b>Hot path.</b> {@link #get} walks the tree with the raw metadata values as keys (a string,
 * a boxed code), one {@code ConcurrentHashMap.get} per tag: no tag array, no string is built for a
 * series that exists. Only the first event of a combination takes the slow path, which converts
 * the values to strings, asks each tag's {@link TagGuard} and registers the meter under a lock.
 * A value the guard refuses is not remembered (the tree stays bounded); its events go to the
 * overflow branch of its level, tagged with the overflow value.
 *
 * @param <L> what a leaf holds
 */
final class MeterFamily<L> {

    private static final Object NONE = new Object();

    final MeterDefinition definition;
    private final String[] keys;
    private final TagGuard[] guards;
    private final String overflowValue;
    private final Function<Tags, Leaf<L>> factory;
    private final Node<L> root = new Node<>();
    /**
     * Recorders by the identity of the metadata map that led to them: components emit the same
     * preallocated map for every event of one outcome (a breaker's successes, a protection's), so
     * its next event finds its series with one identity comparison, without reading the map.
     * Replaced whole when series are removed, so that no removed series is recorded into from it.
     */
    private volatile Cached<L>[] cache = newCache();

    private static final int CACHE_SIZE = 64;

    /** One cache entry: immutable, so a reader never sees a map paired with another map's recorder. */
    private record Cached<L>(Map<String, Object> metadata, L recorder) {
    }

    @SuppressWarnings("unchecked")
    private static <L> Cached<L>[] newCache() {
        return (Cached<L>[]) new Cached<?>[CACHE_SIZE];
    }

    /** A leaf: what records, and the meters to remove with it. */
    record Leaf<L>(L recorder, List<Meter> meters) {
    }

    private static final class Node<L> {
        final ConcurrentHashMap<Object, Node<L>> children = new ConcurrentHashMap<>();
        volatile Node<L> overflow;
        volatile Leaf<L> leaf;
    }

    MeterFamily(MeterDefinition definition, TagGuard[] guards, String overflowValue, Function<Tags, Leaf<L>> factory) {
        this.definition = definition;
        this.keys = definition.tags().toArray(new String[0]);
        this.guards = guards.clone();
        this.overflowValue = overflowValue;
        this.factory = factory;
        if (guards.length != keys.length) {
            throw new IllegalArgumentException(definition.name() + ": one guard per tag");
        }
    }

    /** The recorder of the series without tags. */
    L get() {
        return leaf(root, new Object[0]);
    }

    L get(Object v0) {
        Node<L> n = root.children.get(key(v0));
        if (n != null && n.leaf != null) {
            return n.leaf.recorder();
        }
        return slow(new Object[] {v0});
    }

    L get(Object v0, Object v1) {
        Node<L> n = root.children.get(key(v0));
        if (n != null) {
            Node<L> m = n.children.get(key(v1));
            if (m != null && m.leaf != null) {
                return m.leaf.recorder();
            }
        }
        return slow(new Object[] {v0, v1});
    }

    L get(Object v0, Object v1, Object v2) {
        Node<L> n = root.children.get(key(v0));
        if (n != null) {
            Node<L> m = n.children.get(key(v1));
            if (m != null) {
                Node<L> o = m.children.get(key(v2));
                if (o != null && o.leaf != null) {
                    return o.leaf.recorder();
                }
            }
        }
        return slow(new Object[] {v0, v1, v2});
    }

    /** The recorder of the series whose tag values are the metadata's values of this meter's keys. */
    L get(Map<String, Object> metadata) {
        switch (keys.length) {
            case 0:
                return get();
            case 1:
                return get(metadata.get(keys[0]));
            case 2:
                return get(metadata.get(keys[0]), metadata.get(keys[1]));
            case 3:
                return get(metadata.get(keys[0]), metadata.get(keys[1]), metadata.get(keys[2]));
            default:
                Object[] values = new Object[keys.length];
                for (int i = 0; i < keys.length; i++) {
                    values[i] = metadata.get(keys[i]);
                }
                return slow(values);
        }
    }

    /**
     * {@link #get(Map)}, remembered by the identity of {@code metadata}. Only series that exist
     * under their own tag values are remembered: an event that goes to the overflow branch takes
     * {@link #get(Map)} each time, so that every such event is counted in its guard's overflows.
     */
    L byIdentity(Map<String, Object> metadata) {
        Cached<L>[] c = cache;
        int i = System.identityHashCode(metadata) & (CACHE_SIZE - 1);
        Cached<L> hit = c[i];
        if (hit != null && hit.metadata == metadata) {
            return hit.recorder;
        }
        L existing = existing(metadata);
        if (existing != null) {
            c[i] = new Cached<>(metadata, existing);
            return existing;
        }
        return get(metadata);
    }

    /** The recorder of the series of {@code metadata}'s own values if it exists, else null. */
    private L existing(Map<String, Object> metadata) {
        Node<L> node = root;
        for (String k : keys) {
            node = node.children.get(key(metadata.get(k)));
            if (node == null) {
                return null;
            }
        }
        Leaf<L> leaf = node.leaf;
        return leaf == null ? null : leaf.recorder();
    }

    private static Object key(Object value) {
        return value == null ? NONE : value;
    }

    /**
     * The series of values whose tree path does not exist yet. A value its guard refuses (the tag
     * is at its bound) goes to the overflow branch without taking the lock once that branch
     * exists, so a flood of distinct values costs each event a guard check, not a lock.
     */
    private L slow(Object[] values) {
        Node<L> node = root;
        int overflowed = 0;
        for (int i = 0; i < values.length && node != null; i++) {
            Node<L> child = node.children.get(key(values[i]));
            if (child == null && guards[i].refuses(text(values[i]))) {
                child = node.overflow;
                overflowed |= 1 << i;
            }
            node = child;
        }
        if (node != null && node.leaf != null) {
            for (int i = 0; i < values.length; i++) {
                if ((overflowed & (1 << i)) != 0) {
                    guards[i].overflows.increment();
                }
            }
            return node.leaf.recorder();
        }
        return leaf(root, values);
    }

    private synchronized L leaf(Node<L> from, Object[] values) {
        Node<L> node = from;
        String[] tagValues = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            Object k = key(values[i]);
            Node<L> child = node.children.get(k);
            if (child != null) {
                tagValues[i] = text(values[i]);
                node = child;
                continue;
            }
            String text = text(values[i]);
            if (guards[i].admit(text)) {
                child = new Node<>();
                node.children.put(k, child);
                tagValues[i] = text;
            } else {
                child = node.overflow;
                if (child == null) {
                    child = new Node<>();
                    node.overflow = child;
                }
                tagValues[i] = overflowValue;
            }
            node = child;
        }
        Leaf<L> leaf = node.leaf;
        if (leaf == null) {
            List<Tag> tags = new ArrayList<>(keys.length);
            for (int i = 0; i < keys.length; i++) {
                tags.add(Tag.of(keys[i], tagValues[i]));
            }
            leaf = factory.apply(Tags.of(tags));
            node.leaf = leaf;
        }
        return leaf.recorder();
    }

    private static String text(Object value) {
        return value == null ? "none" : value.toString();
    }

    /**
     * Removes every series whose first tag has {@code value} (and, when {@code prefix}, every value
     * starting with {@code value + "."}) from the registry, and gives the values back to the guard.
     */
    synchronized void removeFirst(MeterRegistry registry, String value, boolean prefix) {
        if (keys.length == 0) {
            return;
        }
        List<Object> gone = new ArrayList<>();
        for (Object k : root.children.keySet()) {
            String text = k == NONE ? "none" : k.toString();
            if (text.equals(value) || (prefix && text.startsWith(value + "."))) {
                gone.add(k);
            }
        }
        for (Object k : gone) {
            Node<L> node = root.children.remove(k);
            if (node != null) {
                removeAll(registry, node);
                guards[0].release(k == NONE ? "none" : k.toString());
            }
        }
        cache = newCache(); // after the tree: a reader of the new cache finds the tree without them
    }

    /** Removes every series of this meter from the registry. */
    synchronized void clear(MeterRegistry registry) {
        removeAll(registry, root);
        root.children.clear();
        root.overflow = null;
        root.leaf = null;
        cache = newCache();
    }

    private void removeAll(MeterRegistry registry, Node<L> node) {
        Leaf<L> leaf = node.leaf;
        if (leaf != null) {
            for (Meter m : leaf.meters()) {
                registry.remove(m);
            }
        }
        for (Node<L> child : node.children.values()) {
            removeAll(registry, child);
        }
        if (node.overflow != null) {
            removeAll(registry, node.overflow);
        }
    }

    /** The number of series (leaves) this meter has now. */
    synchronized int seriesCount() {
        return count(root);
    }

    private int count(Node<L> node) {
        int n = node.leaf != null ? 1 : 0;
        for (Node<L> child : node.children.values()) {
            n += count(child);
        }
        if (node.overflow != null) {
            n += count(node.overflow);
        }
        return n;
    }
}
