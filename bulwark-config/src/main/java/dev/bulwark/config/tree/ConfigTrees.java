package dev.bulwark.config.tree;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigFormat;
import dev.bulwark.config.internal.Problems;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads YAML or JSON text into a {@link ConfigNode} tree whose every node knows its line and
 * column. Uses Jackson's streaming parsers (YAML through SnakeYAML Engine), so nothing is bound
 * before the schema sees it. Stateless and thread-safe.
 */
public final class ConfigTrees {

    private static final TokenStreamFactory YAML = YAMLFactory.builder().build();
    private static final TokenStreamFactory JSON = JsonFactory.builder().build();

    private ConfigTrees() {
    }

    /**
     * Parses {@code text}. An empty document is an empty map.
     *
     * @param source how messages name the source, e.g. {@code bulwark.yaml}
     * @throws ConfigException 1101 if the text is not well-formed, holds more than one document, or
     *                         its top level is not a map
     */
    public static MapNode parse(String text, ConfigFormat format, String source) {
        TokenStreamFactory factory = format == ConfigFormat.JSON ? JSON : YAML;
        Problems problems = new Problems();
        try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return MapNode.empty(Location.at(source, 1, 1));
            }
            ConfigNode root = read(parser, source);
            if (parser.nextToken() != null) {
                problems.structure(null, location(parser.currentTokenLocation(), source), null,
                        "a second document", "a configuration file holds one document; put everything in it");
            } else if (root instanceof MapNode map) {
                return map;
            } else {
                problems.structure(null, root.location(), root, "the top level",
                        "must be a map of sections (protections, circuitBreakers, ...), was " + root.kind());
            }
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            problems.structure(null, at == null ? Location.of(source) : location(at, source), null,
                    "not valid " + format, firstLine(e.getOriginalMessage()));
        }
        throw problems.exception(source);
    }

    /**
     * {@code root} with {@code value} set at the path {@code tokens}, guided by the schema
     * {@code schema} (a record type whose components are the top-level sections): a token names a
     * setting in any spelling ({@code maxAttempts}, {@code max-attempts}, {@code maxattempts}) and
     * replaces a value written there in any spelling; map keys are kept as given; a numeric token
     * ({@code 0} or {@code [0]}) indexes a list. A token that names no setting is kept, so that
     * binding reports it with the nearest valid name. This is how flat sources (environment
     * variables, system properties, Spring's property sources) reach into a tree.
     *
     * @param joiner the separator that split the original name ({@code "_"} or {@code "."}) when
     *               one key may span several tokens; null when each token is one segment
     */
    public static MapNode set(MapNode root, Class<? extends Record> schema, List<String> tokens, String joiner,
                              ScalarNode value) {
        return dev.bulwark.config.internal.TreeEdit.set(root, schema, tokens, joiner, value);
    }

    /** The spelling-independent form of a key: lower case, without {@code -} and {@code _}. */
    public static String normalKey(String key) {
        return dev.bulwark.config.internal.Names.normal(key);
    }

    /**
     * The name of {@code candidates} nearest to {@code input} (edit distance on the normal forms:
     * at most 1 edit for names up to 3 letters, 2 up to 6, 3 beyond), or null when none is near;
     * the suggestion of every "did you mean" message.
     */
    public static String nearestName(String input, java.util.Collection<String> candidates) {
        return dev.bulwark.config.internal.Names.nearest(input, candidates);
    }

    private static ConfigNode read(JsonParser p, String source) {
        Location at = location(p.currentTokenLocation(), source);
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT -> {
                List<MapNode.Entry> entries = new ArrayList<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String key = p.currentName();
                    Location keyAt = location(p.currentTokenLocation(), source);
                    p.nextToken();
                    entries.add(new MapNode.Entry(key, keyAt, read(p, source)));
                }
                return new MapNode(entries, at);
            }
            case START_ARRAY -> {
                List<ConfigNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, source));
                }
                return new ListNode(items, at);
            }
            case VALUE_STRING -> {
                return new ScalarNode(p.getString(), at);
            }
            case VALUE_NUMBER_INT -> {
                Number n = p.getNumberValue();
                return new ScalarNode(n instanceof BigInteger big && big.bitLength() < 64 ? big.longValue()
                        : n instanceof BigInteger ? n : n.longValue(), at);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new ScalarNode(p.getNumberValue().doubleValue(), at);
            }
            case VALUE_TRUE -> {
                return new ScalarNode(Boolean.TRUE, at);
            }
            case VALUE_FALSE -> {
                return new ScalarNode(Boolean.FALSE, at);
            }
            case VALUE_NULL -> {
                return new ScalarNode(null, at);
            }
            default -> {
                // embedded objects (binary YAML tags) are not configuration
                return new ScalarNode(p.getString(), at);
            }
        }
    }

    private static Location location(TokenStreamLocation at, String source) {
        if (at == null || at == TokenStreamLocation.NA || at.getLineNr() < 1) {
            return Location.of(source);
        }
        return Location.at(source, at.getLineNr(), Math.max(at.getColumnNr(), 0));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }
}
