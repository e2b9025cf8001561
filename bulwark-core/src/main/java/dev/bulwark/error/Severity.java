package dev.bulwark.error;

/** How serious an error is. {@link #HIGH} and {@link #CRITICAL} errors should be escalated. */
public enum Severity {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    /** Whether an error of this severity warrants escalation (paging, alerting). */
    public boolean shouldEscalate() {
        return this == HIGH || this == CRITICAL;
    }
}
