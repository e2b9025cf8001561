package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ModuleContext;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start, kept true: the {@code java} block under "Quick start" is read from
 * README.md itself, compiled against fakes of the things it names (a database, an inventory, an
 * HTTP response) and run twice: once with healthy dependencies, once with the database's breaker
 * disabled by an operator, which takes the README's 5004 branch.
 */
class ReadmeQuickStartTest {

    private static Class<?> quickStart;

    @BeforeAll
    static void compileTheReadmeQuickStart() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher section = Pattern.compile("## Quick start\\s+```java\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertThat(section.find()).as("README.md has a java block under '## Quick start'").isTrue();
        String snippet = section.group(1).replace("Infrastructure.builder()", "fakes.builder()");

        String source = """
                package readme;

                import dev.bulwark.*;
                import dev.bulwark.circuit.*;
                import dev.bulwark.pipeline.*;
                import dev.bulwark.ratelimit.*;
                import dev.bulwark.demo.ReadmeFakes;
                import dev.bulwark.demo.ReadmeFakes.Stock;
                import dev.bulwark.demo.ReadmeFakes.User;
                import java.time.Duration;
                import java.util.List;
                
                public final class QuickStart {
                    public static void run(ReadmeFakes fakes) {
                        var database = fakes.database;
                        var inventory = fakes.inventory;
                        var response = fakes.response;
                        String userId = fakes.userId;
                        String sku = fakes.sku;
                %s
                    }
                }
                """.formatted(snippet);
        Path dir = Path.of("target", "readme-quickstart");
        Path file = dir.resolve("readme").resolve("QuickStart.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                "-proc:none", file.toString());
        assertThat(rc).as("the README's quick start compiles (see %s)", file).isZero();
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ReadmeQuickStartTest.class.getClassLoader());
        quickStart = loader.loadClass("readme.QuickStart");
    }

    private static void run(ReadmeFakes fakes) throws ReflectiveOperationException {
        try {
            quickStart.getMethod("run", ReadmeFakes.class).invoke(null, fakes);
        } catch (InvocationTargetException e) {
            throw new AssertionError("the README's quick start threw", e.getCause());
        }
    }

    @Test
    void withHealthyDependenciesEveryCallGoesThrough() throws Exception {
        ReadmeFakes fakes = new ReadmeFakes();
        run(fakes);
        assertThat(fakes.queries).containsExactly("SELECT * FROM users");
        assertThat(fakes.stockLookups).containsExactly("sku-42");
        assertThat(fakes.status).isEqualTo(200);
        assertThat(fakes.headers).isEmpty();
    }

    @Test
    void anOpenBreakerTakesTheReadmes5004Branch() throws Exception {
        ReadmeFakes fakes = new ReadmeFakes();
        fakes.modules.add(new BulwarkModule() {   // an operator disabled the breaker; a re-install keeps that
            @Override
            public String name() {
                return "operator";
            }

            @Override
            public void install(ModuleContext context) {
                context.circuitBreakers().install("database_service").disable();
            }
        });
        run(fakes);
        assertThat(fakes.queries).as("an open breaker does not call the database").isEmpty();
        assertThat(fakes.status).isEqualTo(503);
        assertThat(fakes.stockLookups).containsExactly("sku-42");
    }

    @Test
    void theQuickStartIsReadFromTheReadme() throws IOException {
        assertThat(Files.readString(Path.of("target", "readme-quickstart", "readme", "QuickStart.java")))
                .contains("infra.circuitBreakers().install(\"database_service\")")
                .contains("err.error().code() == 5004");
    }
}
