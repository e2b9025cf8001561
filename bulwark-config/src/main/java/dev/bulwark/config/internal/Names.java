package dev.bulwark.config.internal;

import java.util.Collection;
import java.util.Locale;

/** Key spellings: camelCase (files), kebab-case (Spring), their normal form, and the nearest known name. */
public final class Names {

    private Names() {
    }

    /**
     * The form in which spellings of one key compare equal: lower case without {@code -} and
     * {@code _}, so {@code maxAttempts}, {@code max-attempts}, {@code max_attempts} and
     * {@code MAXATTEMPTS} (an environment variable) are one key.
     */
    public static String normal(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '-' && c != '_') {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    /** {@code maxAttempts} → {@code max-attempts}. */
    public static String kebab(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    sb.append('-');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The candidate closest to {@code input} by edit distance (insertions, deletions,
     * substitutions and transpositions of adjacent letters, on the normal forms), or null when
     * none is close: at most 1 edit for names up to 3 letters, 2 up to 6, 3 beyond.
     */
    public static String nearest(String input, Collection<String> candidates) {
        String in = normal(input);
        int limit = in.length() <= 3 ? 1 : in.length() <= 6 ? 2 : 3;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String c = normal(candidate);
            int d = distance(in, c);
            if (d < bestDistance || (d == bestDistance && best != null && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /** The optimal-string-alignment distance between {@code a} and {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    /** {@code SLIDING_WINDOW}, {@code sliding-window}, {@code slidingWindow} → {@code slidingwindow}. */
    public static String enumNormal(String name) {
        return normal(name).toLowerCase(Locale.ROOT);
    }
}
