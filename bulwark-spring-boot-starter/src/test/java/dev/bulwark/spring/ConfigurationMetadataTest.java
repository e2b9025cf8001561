package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.model.BulwarkSettings;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code META-INF/spring-configuration-metadata.json} is the one generated from the
 * schema, and the starter's schema is bulwark-config's sections plus {@code web}.
 */
class ConfigurationMetadataTest {

    @Test
    void theShippedMetadataIsGeneratedFromTheSchema() throws IOException {
        String generated = ConfigurationMetadata.generate();
        if (Boolean.getBoolean("bulwark.writeMetadata")) {
            Files.writeString(Path.of("src/main/resources/META-INF/spring-configuration-metadata.json"), generated);
        }
        String shipped;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json; generate it with -Dbulwark.writeMetadata=true").isNotNull();
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(shipped).as("the shipped metadata differs from the schema: regenerate it with"
                + " mvn -pl bulwark-spring-boot-starter test -Dtest=ConfigurationMetadataTest -Dbulwark.writeMetadata=true")
                .isEqualTo(generated);
        assertThat(ConfigurationMetadata.propertyNames(shipped)).contains("bulwark.enabled",
                "bulwark.protections", "bulwark.circuit-breakers", "bulwark.rate-limits",
                "bulwark.infrastructure.rate-limit-max-keys", "bulwark.redis.command-timeout",
                "bulwark.redis.circuit-breaker.failure-count.max-melts", "bulwark.web.rate-limit.caller",
                "bulwark.health.check-timeout", "bulwark.health.critical-breakers", "bulwark.memory.elevated-at",
                "bulwark.memory.hysteresis");
        assertThat(shipped).contains("\"type\": \"java.util.Map<java.lang.String,dev.bulwark.config.model.ProtectionSettings>\"");
    }

    @Test
    void theStarterSchemaIsBulwarkConfigsSectionsAndWeb() {
        assertThat(Arrays.stream(SpringConfigReader.Root.class.getRecordComponents()).map(RecordComponent::getName))
                .containsExactlyElementsOf(java.util.stream.Stream.concat(
                        Arrays.stream(BulwarkSettings.class.getRecordComponents()).map(RecordComponent::getName),
                        java.util.stream.Stream.of("web")).toList());
        for (RecordComponent c : BulwarkSettings.class.getRecordComponents()) {
            RecordComponent mine = Arrays.stream(SpringConfigReader.Root.class.getRecordComponents())
                    .filter(r -> r.getName().equals(c.getName())).findFirst().orElseThrow();
            assertThat(mine.getGenericType()).isEqualTo(c.getGenericType());
        }
    }
}
