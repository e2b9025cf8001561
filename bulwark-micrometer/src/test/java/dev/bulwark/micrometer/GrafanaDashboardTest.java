package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.time.ManualClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/grafana/bulwark.json queries only series that the binder really exports to Prometheus. */
class GrafanaDashboardTest {

    @Test
    void everyMetricTheDashboardQueriesIsInAScrapeAfterTheScenario() throws IOException {
        String dashboard = Files.readString(Path.of("..", "docs", "grafana", "bulwark.json"));
        Set<String> queried = new TreeSet<>();
        Matcher m = Pattern.compile("bulwark_[a-z_]+").matcher(dashboard);
        while (m.find()) {
            queried.add(m.group());
        }
        assertThat(queried).hasSizeGreaterThan(20);

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ManualClock clock = new ManualClock();
        String scrape;
        AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
        try (Infrastructure infra = Infrastructure.builder().clock(clock).memorySource(heap::get).install(new FakePool("db"))
                .install(BulwarkMetrics.bindTo(registry, MetricsConfig.builder().protectionHistogram(true).build())).build()) {
            BulwarkMetricsScenarioTest.scenario(infra, clock, heap);
            scrape = registry.scrape();
        }
        Set<String> exported = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int end = line.indexOf('{') > 0 ? line.indexOf('{') : line.indexOf(' ');
                exported.add(line.substring(0, end));
            }
        }
        assertThat(exported).containsAll(queried);
    }
}
