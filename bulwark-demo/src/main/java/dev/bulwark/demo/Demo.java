package dev.bulwark.demo;

import dev.bulwark.Infrastructure;
import dev.bulwark.telemetry.TelemetryCapture;

/** The runnable main job: a short tour of what Bulwark offers. */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) {
        try (Infrastructure infra = Infrastructure.builder().build();
             TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            System.out.println("Bulwark infrastructure running: " + infra.status());
            events.events().forEach(e -> System.out.println("  event " + e.name() + " " + e.metadata()));
        }
    }
}
