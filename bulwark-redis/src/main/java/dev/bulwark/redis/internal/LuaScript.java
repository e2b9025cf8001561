package dev.bulwark.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** A Lua script's source and the SHA-1 digest Redis knows it by ({@code EVALSHA}). Immutable. */
public final class LuaScript {

    private final String name;
    private final String source;
    private final String sha1;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha1 = sha1Hex(source);
    }

    /** A script from source text. */
    public static LuaScript of(String name, String source) {
        return new LuaScript(Objects.requireNonNull(name, "name"), Objects.requireNonNull(source, "source"));
    }

    /** A script read (as UTF-8) from a class-path resource next to {@code anchor}. */
    public static LuaScript fromResource(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script resource not found: " + resource + " next to " + anchor.getName());
            }
            return of(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + resource, e);
        }
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /** The lowercase hex SHA-1 of the source, as {@code SCRIPT LOAD} would return it. */
    public String sha1() {
        return sha1;
    }

    private static String sha1Hex(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "LuaScript[" + name + ", sha1=" + sha1 + "]";
    }
}
