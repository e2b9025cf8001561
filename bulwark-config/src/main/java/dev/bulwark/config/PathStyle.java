package dev.bulwark.config;

import dev.bulwark.config.internal.Names;

/**
 * How paths and key names are written in messages: as in a file ({@code protections.inventory.retry.maxAttempts})
 * or as Spring properties ({@code bulwark.protections.inventory.retry.max-attempts}).
 *
 * @param prefix the prefix of every path, ending in a dot, or empty
 * @param kebab  whether setting names are written in kebab-case
 */
public record PathStyle(String prefix, boolean kebab) {

    /** Configuration files: camelCase names, no prefix. */
    public static final PathStyle FILE = new PathStyle("", false);

    /** Spring Boot properties: kebab-case names under {@code bulwark.}. */
    public static final PathStyle SPRING = new PathStyle("bulwark.", true);

    /** A setting name as this style writes it. */
    public String name(String camel) {
        return kebab ? Names.kebab(camel) : camel;
    }
}
