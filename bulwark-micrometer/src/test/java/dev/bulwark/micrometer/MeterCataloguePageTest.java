package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** docs/observability.md lists every meter of the catalogue, and the catalogue's tags are the events' declared tags. */
class MeterCataloguePageTest {

    private static final Path PAGE = Path.of("..", "docs", "observability.md");

    /** The table row of a meter, as the page prints it. */
    static String row(MeterDefinition d) {
        return "| `" + d.name() + "` | " + d.type().name().toLowerCase(Locale.ROOT) + " | "
                + (d.baseUnit().isEmpty() ? "—" : d.baseUnit()) + " | "
                + (d.tags().isEmpty() ? "—" : String.join(", ", d.tags())) + " | " + d.source() + " | "
                + d.description() + " |";
    }

    @Test
    void thePageListsEveryMeterOfTheCatalogueAndNoOther() throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(PAGE)) {
            if (line.startsWith("| `bulwark.")) {
                rows.add(line.strip());
            }
        }
        List<String> expected = MeterCatalogue.all().stream().map(MeterCataloguePageTest::row).toList();
        assertThat(rows).as("meter rows of docs/observability.md; expected:\n" + String.join("\n", expected))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void everyTagIsADeclaredTagOfItsSourceEventOrOneTheBinderDerives() {
        for (MeterDefinition d : MeterCatalogue.all()) {
            List<EventType> sources = new ArrayList<>();
            for (String source : d.source().split(", ")) {
                find(source).ifPresent(sources::add);
            }
            String component = d.name().substring("bulwark.".length());
            for (String tag : d.tags()) {
                if (MeterCatalogue.DERIVED_TAGS.contains(component + ":" + tag)) {
                    continue;
                }
                if (sources.isEmpty()) {
                    // meters from status records: their only tag is the entry's name (a pool's, as its events call it)
                    assertThat(tag).as(d.name()).isEqualTo(component.startsWith("pool.") ? "pool" : "name");
                    continue;
                }
                for (EventType source : sources) {
                    assertThat(source.tagKeys()).as(d.name() + " tag '" + tag + "' from " + source).contains(tag);
                }
            }
        }
    }

    @Test
    void noMeterIsTaggedWithAKeyAnyEventDeclaresAsADetail() {
        List<String> details = new ArrayList<>();
        for (EventType type : Events.all()) {
            type.metadata().stream().filter(f -> !f.tag()).forEach(f -> details.add(f.key()));
        }
        assertThat(details).contains("entity_id");
        for (MeterDefinition d : MeterCatalogue.all()) {
            assertThat(d.tags()).as(d.name()).doesNotContainAnyElementsOf(details);
        }
    }

    private static Optional<EventType> find(String suffix) {
        EventName name = EventName.parse(suffix.contains(" ") ? "x" : suffix.replace("()", ""));
        return Events.all().stream().filter(t -> t.suffix().equals(name)).findFirst();
    }
}
