package dev.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/telemetry.md's catalogue lists every event of {@link Events}. */
class EventCatalogueDocTest {

    @Test
    void everyCatalogueEventIsDocumented() throws IOException, IllegalAccessException {
        String docs = Files.readString(Path.of("..", "docs", "telemetry.md"));
        for (Field field : Events.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == EventName.class
                    && !field.getName().equals("DEFAULT_PREFIX")) {
                EventName suffix = (EventName) field.get(null);
                assertThat(docs).as("docs/telemetry.md documents %s", field.getName()).contains("`" + suffix + "`");
            }
        }
    }
}
