package dev.bulwark.dashboard;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The browser tests need Debian's {@code chromium} and {@code chromium-driver}
 * ({@code apt-get install -y chromium chromium-driver}; {@code .ci/run} installs them). Without
 * them a test fails under {@code CI=true} and is skipped elsewhere, with a message saying so.
 */
final class RequiresChromium {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private RequiresChromium() {
    }

    static void check() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (present) {
            return;
        }
        String message = "the browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                + ": apt-get install -y chromium chromium-driver";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: a missing browser is a failure)");
        }
        Assumptions.abort(message);
    }
}
