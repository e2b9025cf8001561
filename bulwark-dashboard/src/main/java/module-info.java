/**
 * Bulwark's dashboard on the JDK HTTP server: health probes, JSON status, server-sent events, the
 * Prometheus scrape (when micrometer-registry-prometheus is present) and a live page.
 */
module dev.bulwark.dashboard {
    requires transitive dev.bulwark.core;
    requires jdk.httpserver;
    requires java.management;
    requires static micrometer.core;
    requires static micrometer.registry.prometheus;

    exports dev.bulwark.dashboard;
}
