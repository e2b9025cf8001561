package dev.bulwark.telemetry;

/**
 * The unit of a numeric measurement of an event, so that a consumer (a metrics binder, a
 * dashboard) converts it without guessing from the measurement's name.
 */
public enum Unit {
    /** A plain count or a dimensionless number. */
    COUNT(1.0),
    /** Nanoseconds. */
    NANOSECONDS(1e-9),
    /** Microseconds. */
    MICROSECONDS(1e-6),
    /** Milliseconds. */
    MILLISECONDS(1e-3),
    /** Seconds. */
    SECONDS(1.0),
    /** Bytes. */
    BYTES(1.0),
    /** A percentage, 0 to 100. */
    PERCENT(1.0),
    /** A ratio, 0 to 1. */
    RATIO(1.0);

    private final double toBase;

    Unit(double toBase) {
        this.toBase = toBase;
    }

    /** Whether this unit measures time. */
    public boolean isTime() {
        return this == NANOSECONDS || this == MICROSECONDS || this == MILLISECONDS || this == SECONDS;
    }

    /** {@code value} in this unit's base unit: seconds for time, the value itself otherwise. */
    public double toBase(double value) {
        return value * toBase;
    }
}
