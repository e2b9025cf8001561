package dev.bulwark.config.tree;

import java.util.List;
import java.util.Objects;

/**
 * A sequence of nodes.
 *
 * @param items    the items, in order
 * @param location where the list starts
 */
public record ListNode(List<ConfigNode> items, Location location) implements ConfigNode {

    public ListNode {
        items = List.copyOf(items);
        Objects.requireNonNull(location, "location");
    }

    @Override
    public String kind() {
        return "a list";
    }
}
