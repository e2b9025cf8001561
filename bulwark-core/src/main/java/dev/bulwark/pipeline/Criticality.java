package dev.bulwark.pipeline;

/**
 * How much a call matters when the service is overloaded: the {@code shed} stage rejects
 * {@link #SHEDDABLE} work first (under elevated memory pressure), and all but {@link #CRITICAL}
 * work under critical pressure. Given per call ({@code infra.executeProtected(key, entity,
 * Criticality.SHEDDABLE, call)}); calls that say nothing are {@link #DEFAULT}.
 */
public enum Criticality {
    /** Must run whenever the process can run it (health probes, payments being captured). */
    CRITICAL,
    /** Ordinary work. */
    DEFAULT,
    /** Work that may be dropped first (prefetches, analytics, retries of background jobs). */
    SHEDDABLE;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The lower-case name used in telemetry and errors: {@code critical}, {@code default}, {@code sheddable}. */
    public String label() {
        return label;
    }
}
