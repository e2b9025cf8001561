package dev.bulwark.error;

/** The broad area an error belongs to; the thousands digit of its code follows it. */
public enum ErrorCategory {
    /** 1xxx: configuration. */
    CONFIG,
    /** 2xxx: the running system. */
    SYSTEM,
    /** 3xxx: data and input. */
    DATA,
    /** 4xxx: external services. */
    EXTERNAL,
    /** 5xxx–7xxx: infrastructure protection (breakers, limiters, pipeline). */
    INFRASTRUCTURE
}
