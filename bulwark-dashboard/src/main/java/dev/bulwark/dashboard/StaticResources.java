package dev.bulwark.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The page's files, read from the jar once, by name from a fixed list: a request can only ever
 * get one of these (no path is resolved against a directory or the class path).
 */
final class StaticResources {

    record Resource(String contentType, byte[] bytes) {
    }

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final Map<String, Resource> resources;

    private StaticResources(Map<String, Resource> resources) {
        this.resources = resources;
    }

    static StaticResources load() {
        Map<String, Resource> loaded = new java.util.HashMap<>();
        FILES.forEach((name, type) -> {
            try (InputStream in = StaticResources.class.getResourceAsStream("static/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the dashboard's resource " + name + " is missing from the jar");
                }
                loaded.put(name, new Resource(type, in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new StaticResources(Map.copyOf(loaded));
    }

    boolean has(String name) {
        return resources.containsKey(name);
    }

    Resource get(String name) {
        return resources.get(name);
    }
}
