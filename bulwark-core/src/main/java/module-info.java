/**
 * Bulwark core: structured errors, telemetry, clock, circuit breakers, local rate limiting and
 * the protection pipeline. No dependency beyond the JDK.
 */
module dev.bulwark.core {
    requires java.management;

    exports dev.bulwark;
    exports dev.bulwark.error;
    exports dev.bulwark.telemetry;
    exports dev.bulwark.time;
    exports dev.bulwark.circuit;
    exports dev.bulwark.ratelimit;
    exports dev.bulwark.pipeline;
    exports dev.bulwark.spi;
    exports dev.bulwark.health;
    exports dev.bulwark.memory;
}
