package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.model.BulwarkSettings;
import dev.bulwark.config.model.Doc;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/config.md documents every setting of the schema, with its default, and both events. */
class ConfigDocTest {

    private static final String DOC = read();

    private static String read() {
        try {
            return Files.readString(Path.of("..", "docs", "config.md"));
        } catch (IOException e) {
            throw new IllegalStateException("docs/config.md must exist", e);
        }
    }

    @Test
    void everySettingHasARowWithItsDefault() {
        Set<Class<?>> seen = new HashSet<>();
        for (RecordComponent c : BulwarkSettings.class.getRecordComponents()) {
            walk(c.getGenericType(), seen);
        }
        assertThat(seen).hasSizeGreaterThan(10);
    }

    private static void walk(Type type, Set<Class<?>> seen) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (type instanceof ParameterizedType p) {
            for (Type arg : p.getActualTypeArguments()) {
                walk(arg, seen);
            }
        }
        if (!raw.isRecord() || !seen.add(raw)) {
            return;
        }
        for (RecordComponent c : raw.getRecordComponents()) {
            Doc doc = c.getAnnotation(Doc.class);
            assertThat(doc).as(raw.getSimpleName() + "." + c.getName() + " has a @Doc").isNotNull();
            String row = "| `" + c.getName() + "` |";
            assertThat(DOC).as("docs/config.md has a row for " + raw.getSimpleName() + "." + c.getName()).contains(row);
            if (!doc.defaultValue().isEmpty()) {
                assertThat(DOC).as("docs/config.md gives the default of " + c.getName())
                        .containsIgnoringCase("`" + doc.defaultValue() + "` | " + doc.value());
            }
            walk(c.getGenericType(), seen);
        }
    }

    @Test
    void bothEventsAreInTheTable() {
        for (var event : ConfigEvents.all()) {
            assertThat(DOC).contains("| `" + event.suffix() + "` |");
        }
    }
}
