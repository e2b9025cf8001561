package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import org.junit.jupiter.api.Test;

/**
 * bulwark-pool is optional: without it on the class path (this class runs in its own surefire
 * execution that leaves it out, see the pom), the configuration loads, can be introspected as
 * Spring introspects every bean, applies files without pools, and refuses a pools section with a
 * clear message instead of a NoClassDefFoundError.
 */
class NoPoolModuleCheck {

    @Test
    void bulwarkPoolIsReallyAbsent() {
        assertThatThrownBy(() -> Class.forName("dev.bulwark.pool.Pools")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void theConfigurationClassesCanBeIntrospected() {
        assertThat(BulwarkConfig.class.getDeclaredMethods()).isNotEmpty();
        assertThat(BulwarkConfig.class.getMethods()).isNotEmpty();
        assertThat(ConfigSnapshot.class.getDeclaredMethods()).isNotEmpty();
    }

    @Test
    void aFileWithoutPoolsIsApplied() {
        BulwarkConfig config = BulwarkConfig.fromText("""
                protections:
                  search: { bulkhead: 2 }
                """, ConfigFormat.YAML).withoutOverrides().build();
        try (Infrastructure infra = config.applyTo(Infrastructure.builder()).build()) {
            assertThat(infra.executeProtected("search", () -> "hits")).isEqualTo(Result.ok("hits"));
        }
    }

    @Test
    void aPoolsSectionNamesTheMissingModule() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigSnapshot.parse("""
                pools:
                  clients: { maxSize: 2 }
                protections:
                  inventory: { pool: clients }
                """, ConfigFormat.YAML, "bulwark.yaml"));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("a pools section needs the module bulwark-pool (dev.bulwark:bulwark-pool)");
    }
}
