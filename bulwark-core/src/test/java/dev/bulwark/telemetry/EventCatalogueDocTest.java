package dev.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/telemetry.md's catalogue is the readable form of {@link Events#all()}: a row per declared
 * event, with its measurements and units and its metadata keys (details in italics), exactly as
 * declared; and no row for an event that is not declared.
 */
class EventCatalogueDocTest {

    /** The catalogue row of a declaration, up to the last column ("emitted by"), which is free text. */
    static String row(EventType type) {
        String measurements = type.measurements().isEmpty() ? "—" : type.measurements().stream()
                .map(m -> m.unit() == Unit.COUNT ? m.name() : m.name() + " (" + unitLabel(m.unit()) + ")")
                .collect(Collectors.joining(", "));
        List<String> keys = new ArrayList<>();
        for (EventType.Field f : type.metadata()) {
            keys.add(f.tag() ? f.key() : "*" + f.key() + "*");
        }
        if (type.hasOpenMetadata()) {
            keys.add("caller metadata");
        }
        String metadata = keys.isEmpty() ? "—" : String.join(", ", keys);
        return "| `" + type.suffix() + "` | " + measurements + " | " + metadata + " |";
    }

    private static String unitLabel(Unit unit) {
        return switch (unit) {
            case NANOSECONDS -> "ns";
            case MICROSECONDS -> "µs";
            case MILLISECONDS -> "ms";
            case SECONDS -> "s";
            case BYTES -> "bytes";
            case PERCENT -> "%";
            case RATIO -> "ratio";
            case COUNT -> "";
        };
    }

    @Test
    void everyDeclaredEventHasItsRowExactlyAsDeclared() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "telemetry.md"));
        List<String> missing = new ArrayList<>();
        for (EventType type : Events.all()) {
            if (!docs.contains(row(type))) {
                missing.add(row(type));
            }
        }
        assertThat(missing).as("rows docs/telemetry.md should contain (measurements with units; details in italics)")
                .isEmpty();
    }

    @Test
    void everyRowOfTheCatalogueIsADeclaredEvent() throws IOException {
        List<String> declared = Events.all().stream().map(t -> t.suffix().toString()).toList();
        for (String line : Files.readAllLines(Path.of("..", "docs", "telemetry.md"))) {
            if (line.startsWith("| `") && line.contains("` |") && line.indexOf('.') > 0) {
                String suffix = line.substring(3, line.indexOf("` |"));
                if (suffix.startsWith("circuit_breaker") || suffix.startsWith("rate_limiter") || suffix.startsWith("protection_")
                        || suffix.startsWith("retry") || suffix.startsWith("timeout") || suffix.startsWith("bulkhead")
                        || suffix.startsWith("fallback") || suffix.startsWith("infrastructure") || suffix.startsWith("telemetry")
                        || suffix.startsWith("health") || suffix.startsWith("memory") || suffix.startsWith("overload")
                        || suffix.startsWith("hedge")) {
                    assertThat(declared).as("docs/telemetry.md row %s is declared in Events", suffix).contains(suffix);
                }
            }
        }
    }
}
