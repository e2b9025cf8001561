package dev.bulwark.dashboard;

import java.util.function.Supplier;

/**
 * The Prometheus text of a {@code PrometheusMeterRegistry}, in a class of its own so that the
 * dashboard loads micrometer-registry-prometheus only when it is given such a registry.
 */
final class PrometheusScrape {

    private PrometheusScrape() {
    }

    static Supplier<String> of(Object registry) {
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus =
                (io.micrometer.prometheusmetrics.PrometheusMeterRegistry) registry;
        return prometheus::scrape;
    }
}
