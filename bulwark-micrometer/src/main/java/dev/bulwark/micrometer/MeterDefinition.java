package dev.bulwark.micrometer;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Objects;

/**
 * One meter of the catalogue ({@link MeterCatalogue}): its name, type, base unit, tag keys and
 * where its values come from. docs/observability.md lists the same rows; a test checks the page
 * and the meters the binder registers against this catalogue.
 *
 * @param name        the meter's name, {@code bulwark.<component>.<measure>}
 * @param type        {@code COUNTER}, {@code TIMER} or {@code GAUGE}
 * @param baseUnit    the base unit ({@code seconds} for timers), or {@code ""} when there is none
 * @param tags        the tag keys, in order; every series of the meter has exactly these keys
 * @param source      the event (suffix after the telemetry prefix) or status the values come from
 * @param description what the meter measures
 */
public record MeterDefinition(String name, Meter.Type type, String baseUnit, List<String> tags, String source,
                              String description) {

    public MeterDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(baseUnit, "baseUnit");
        tags = List.copyOf(tags);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(description, "description");
        if (!name.startsWith("bulwark.")) {
            throw new IllegalArgumentException("a meter name starts with 'bulwark.', was '" + name + "'");
        }
    }
}
