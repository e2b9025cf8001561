package dev.bulwark.error;

/** The finer kind of an error within its {@link ErrorCategory}. */
public enum ErrorSubcategory {
    STRUCTURE,
    VALIDATION,
    ACCESS,
    RUNTIME,
    PROTECTION
}
