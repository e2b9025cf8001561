package dev.bulwark.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/errors.md is the users' view of {@link ErrorCode}: every row must match the catalogue. */
class ErrorCatalogueDocTest {

    @Test
    void docsTableListsEveryCodeExactlyAsTheCatalogueDefinesIt() throws IOException {
        Map<Integer, String[]> rows = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "errors.md"))) {
            if (line.matches("\\| \\d{4} \\|.*")) {
                String[] cells = line.split("\\|");
                String[] trimmed = new String[cells.length - 1];
                for (int i = 1; i < cells.length; i++) {
                    trimmed[i - 1] = cells[i].trim();
                }
                rows.put(Integer.parseInt(trimmed[0]), trimmed);
            }
        }

        for (ErrorCode code : CoreErrorCode.values()) {
            String[] row = rows.remove(code.code());
            assertThat(row).as("docs/errors.md row for %s", code.code()).isNotNull();
            String retry = code.defaultRetryStrategy() == null ? "per cause" : code.defaultRetryStrategy().name();
            assertThat(row).as("docs/errors.md row for %s", code.code()).startsWith(
                    String.valueOf(code.code()), code.type().name(), code.severity().name(), code.category().name(),
                    retry, code.isRejection() ? "yes" : "", String.valueOf(code.httpStatus()));
        }
        assertThat(rows.keySet()).as("codes documented but not in ErrorCode").isEmpty();
    }
}
