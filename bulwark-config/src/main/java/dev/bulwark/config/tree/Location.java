package dev.bulwark.config.tree;

import java.util.Objects;

/**
 * Where a configuration value came from: a file and a line and column in it (both from 1), or a
 * source without lines (an environment variable, a system property), whose line is 0.
 *
 * @param source a description of the source, e.g. {@code bulwark.yaml} or
 *               {@code environment variable BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPTS}
 * @param line   the line, from 1; 0 when the source has no lines
 * @param column the column, from 1; 0 when unknown
 */
public record Location(String source, int line, int column) {

    public Location {
        Objects.requireNonNull(source, "source");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0, were " + line + ", " + column);
        }
    }

    /** A place in a text source. */
    public static Location at(String source, int line, int column) {
        return new Location(source, line, column);
    }

    /** A source without lines (an environment variable, a system property). */
    public static Location of(String source) {
        return new Location(source, 0, 0);
    }

    /** Whether this location has a line. */
    public boolean hasLine() {
        return line > 0;
    }

    /** {@code bulwark.yaml line 12, column 7}, or the source alone when it has no lines. */
    @Override
    public String toString() {
        if (line == 0) {
            return source;
        }
        return source + " line " + line + (column > 0 ? ", column " + column : "");
    }
}
