package dev.bulwark.memory;

import java.util.Locale;

/**
 * How full the heap stays after garbage collection, as judged by the {@link MemoryMonitor}
 * against its {@link MemoryConfig} thresholds, worst last.
 */
public enum MemoryPressure {
    /** Below the elevated threshold: nothing is shed. */
    NORMAL,
    /**
     * Past the elevated threshold (default 80 % of the heap still in use after a collection): the
     * {@code shed} stage rejects sheddable work; readiness is DEGRADED.
     */
    ELEVATED,
    /**
     * Past the critical threshold (default 90 %): the {@code shed} stage rejects all but critical
     * work; liveness is DOWN if it lasts longer than the grace period.
     */
    CRITICAL;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in telemetry and errors: {@code normal}, {@code elevated}, {@code critical}. */
    public String label() {
        return label;
    }
}
