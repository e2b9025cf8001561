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
    SHEDDABLE
}
