package dev.bulwark.config.tree;

/**
 * A node of a configuration tree as read from its source, before it is bound to the schema:
 * a {@link MapNode}, a {@link ListNode} or a {@link ScalarNode}, each with the {@link Location} it
 * came from, so that every error can name the line of the bad value.
 *
 * <p>Trees are built by {@link ConfigTrees} (from YAML or JSON text, or from flat properties such
 * as environment variables and Spring's property sources) and are not changed once built.
 */
public sealed interface ConfigNode permits MapNode, ListNode, ScalarNode {

    /** Where this node starts in its source. */
    Location location();

    /** What kind of node this is, for messages: {@code a map}, {@code a list}, {@code a value}. */
    String kind();
}
