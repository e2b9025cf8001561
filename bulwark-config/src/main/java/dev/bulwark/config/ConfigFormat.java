package dev.bulwark.config;

import java.nio.file.Path;
import java.util.Locale;

/** The text formats of a configuration file: YAML (a superset of JSON) and JSON. */
public enum ConfigFormat {
    /** YAML 1.2, one document per file. */
    YAML,
    /** JSON (RFC 8259). */
    JSON;

    /** JSON for a {@code .json} file, YAML otherwise ({@code .yaml}, {@code .yml}, anything else). */
    public static ConfigFormat of(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
    }
}
