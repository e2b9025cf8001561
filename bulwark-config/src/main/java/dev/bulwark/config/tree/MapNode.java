package dev.bulwark.config.tree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A mapping from keys to nodes, in source order. A key given twice is kept twice (in
 * {@link #entries()}) so that the binder can report it; {@link #get(String)} answers the first.
 *
 * @param entries  the entries, in source order
 * @param location where the map starts
 */
public record MapNode(List<Entry> entries, Location location) implements ConfigNode {

    /**
     * One key and its value.
     *
     * @param key         the key as written
     * @param keyLocation where the key is written
     * @param value       its value
     */
    public record Entry(String key, Location keyLocation, ConfigNode value) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(keyLocation, "keyLocation");
            Objects.requireNonNull(value, "value");
        }
    }

    public MapNode {
        entries = List.copyOf(entries);
        Objects.requireNonNull(location, "location");
    }

    /** An empty map at {@code location}. */
    public static MapNode empty(Location location) {
        return new MapNode(List.of(), location);
    }

    /** The first entry under {@code key} (exactly as written), or null. */
    public Entry get(String key) {
        for (Entry e : entries) {
            if (e.key.equals(key)) {
                return e;
            }
        }
        return null;
    }

    /** The keys, in source order, each once. */
    public List<String> keys() {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        for (Entry e : entries) {
            keys.put(e.key, Boolean.TRUE);
        }
        return List.copyOf(keys.keySet());
    }

    /** Whether the map has no entry. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** This map with {@code entry} in place of the entries at {@code index} (or appended when index is -1). */
    public MapNode with(int index, Entry entry) {
        List<Entry> copy = new ArrayList<>(entries);
        if (index < 0) {
            copy.add(entry);
        } else {
            copy.set(index, entry);
        }
        return new MapNode(Collections.unmodifiableList(copy), location);
    }

    @Override
    public String kind() {
        return "a map";
    }
}
