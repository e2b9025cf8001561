package dev.bulwark.spring;

import dev.bulwark.config.model.Doc;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * The Spring Boot configuration metadata of {@code bulwark.*} (IDE completion and documentation),
 * generated from the one schema (bulwark-config's records and {@link WebSettings}, their
 * {@link Doc} descriptions and defaults). The starter ships it as
 * {@code META-INF/spring-configuration-metadata.json}; a test regenerates it and fails when the
 * shipped file differs ({@code -Dbulwark.writeMetadata=true} rewrites it).
 */
final class ConfigurationMetadata {

    private final List<String> groups = new ArrayList<>();
    private final List<String> properties = new ArrayList<>();

    private ConfigurationMetadata() {
    }

    /** The metadata, as JSON. */
    static String generate() {
        ConfigurationMetadata m = new ConfigurationMetadata();
        m.groups.add(item("bulwark", SpringConfigReader.Root.class.getName(), "Bulwark: circuit breakers, rate limits and"
                + " named protections (docs/config.md, docs/spring-boot.md).", null, null));
        m.properties.add(item("bulwark.enabled", Boolean.class.getName(), "Whether Bulwark is auto-configured.", "true", null));
        m.record("bulwark", SpringConfigReader.Root.class);
        return "{\n  \"groups\": [\n" + String.join(",\n", m.groups) + "\n  ],\n  \"properties\": [\n"
                + String.join(",\n", m.properties) + "\n  ]\n}\n";
    }

    private void record(String prefix, Class<?> type) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + "." + kebab(c.getName());
            Doc doc = c.getAnnotation(Doc.class);
            String description = doc == null ? null : doc.value();
            String defaultValue = doc == null || doc.defaultValue().isEmpty() ? null : doc.defaultValue();
            Class<?> raw = c.getType();
            if (raw.isRecord()) {
                groups.add(item(name, raw.getName(), description, null, type.getName()));
                record(name, raw);
            } else {
                properties.add(item(name, typeName(c.getGenericType()), description, defaultValue, type.getName()));
            }
        }
    }

    private static String typeName(Type type) {
        if (type instanceof Class<?> c) {
            return c.getName();
        }
        ParameterizedType p = (ParameterizedType) type;
        List<String> args = new ArrayList<>();
        for (Type a : p.getActualTypeArguments()) {
            args.add(typeName(a));
        }
        return ((Class<?>) p.getRawType()).getName() + "<" + String.join(",", args) + ">";
    }

    private static String item(String name, String type, String description, String defaultValue, String sourceType) {
        StringBuilder sb = new StringBuilder("    {\n      \"name\": \"").append(name).append("\",\n      \"type\": \"")
                .append(type).append('"');
        if (description != null) {
            sb.append(",\n      \"description\": \"").append(escape(description)).append('"');
        }
        if (sourceType != null) {
            sb.append(",\n      \"sourceType\": \"").append(sourceType).append('"');
        }
        if (defaultValue != null) {
            sb.append(",\n      \"defaultValue\": ").append(json(defaultValue, type));
        }
        return sb.append("\n    }").toString();
    }

    private static String json(String value, String type) {
        if (type.equals(Boolean.class.getName()) && (value.equals("true") || value.equals("false"))) {
            return value;
        }
        if ((type.equals(Integer.class.getName()) || type.equals(Long.class.getName()) || type.equals(Double.class.getName()))
                && value.matches("-?\\d+(\\.\\d+)?")) {
            return value;
        }
        return "\"" + escape(value) + "\"";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static String kebab(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Every property name of the metadata (for the test comparing with the schema). */
    static List<String> propertyNames(String json) {
        List<String> names = new ArrayList<>();
        for (String line : json.split("\n")) {
            String t = line.trim();
            if (t.startsWith("\"name\": \"")) {
                names.add(t.substring(9, t.length() - 2));
            }
        }
        return names;
    }
}
