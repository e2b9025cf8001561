package dev.bulwark.redis.internal;

/**
 * Where the state of a rate-limit key lives in Redis.
 *
 * <p>All rules of one {@code (entityId, operation)} live in one hash:
 * <pre>
 *   key:   &lt;prefix&gt;{&lt;entityId&gt;}:&lt;operation&gt;
 *   field: &lt;algorithm letter&gt;&lt;limit&gt;:&lt;window ns&gt;:&lt;a|b|c&gt;   (written by the script)
 * </pre>
 * so a multi-limit check touches one key, {@code reset} is one {@code DEL}, and the braces make
 * {@code entityId} the Redis Cluster hash tag: every key of one entity lives in one slot.
 *
 * <p>Rules with the same limit, window and algorithm share state whatever their names, as the
 * {@code LimitStore} contract requires. The entity and the operation are escaped so that two
 * different pairs can never map to the same key: {@code \}, {@code :}, <code>{</code> and <code>}</code> are
 * preceded by a backslash; the empty entity is written as a lone backslash, which no other entity
 * escapes to, so that its hash tag is not empty. (An escaped <code>}</code> inside the entity ends
 * the hash tag early, but it does so identically for every key of that entity, so they still share
 * a slot.)
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyLayout {

    private final String prefix;

    /**
     * @param prefix the namespace of every key, e.g. {@code "bulwark:rl:"}
     * @throws IllegalArgumentException if the prefix contains a brace (it would capture the hash tag)
     */
    public KeyLayout(String prefix) {
        this.prefix = validPrefix(prefix);
    }

    /** Checks a key prefix: non-null, at most 128 characters, no braces. */
    public static String validPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("keyPrefix must not be null");
        }
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException(
                    "keyPrefix must not contain '{' or '}' (they would capture the Redis Cluster hash tag), was '"
                            + prefix + "'");
        }
        if (prefix.length() > 128) {
            throw new IllegalArgumentException("keyPrefix must be at most 128 characters, was " + prefix.length());
        }
        return prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** The Redis key that holds every rule's state for {@code (entityId, operation)}. */
    public String key(String entityId, String operation) {
        StringBuilder sb = new StringBuilder(prefix.length() + entityId.length() + operation.length() + 8);
        sb.append(prefix).append('{');
        if (entityId.isEmpty()) {
            // an empty hash tag would make Redis Cluster hash the whole key; a lone backslash is
            // never the escape of a non-empty entity, so it stands for the empty one
            sb.append('\\');
        } else {
            escapeInto(sb, entityId);
        }
        sb.append("}:");
        escapeInto(sb, operation);
        return sb.toString();
    }

    /** A {@code SCAN MATCH} pattern that finds every key under {@code prefix}. */
    public static String scanPattern(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() + 2);
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('*').toString();
    }

    private static void escapeInto(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == ':' || c == '{' || c == '}') {
                sb.append('\\');
            }
            sb.append(c);
        }
    }

    @Override
    public String toString() {
        return "KeyLayout[" + prefix + "{<entityId>}:<operation>]";
    }
}
