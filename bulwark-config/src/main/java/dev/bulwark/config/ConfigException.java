package dev.bulwark.config;

import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it at once: each is an
 * {@link InfraError} with code 1101 (INVALID_CONFIG_STRUCTURE: unknown or missing key, a map where a
 * value belongs, malformed text), 1201 (INVALID_CONFIG_VALUE: a value out of range or of the wrong
 * type, an unknown name referenced) or 1301 (CONFIG_NOT_FOUND: the file is missing or unreadable),
 * whose context holds {@code path} (e.g. {@code protections.inventory.retry.maxAttempts}),
 * {@code source}, {@code line} and {@code column} (when the source has lines) and {@code value} (the
 * bad value as written), and for an unknown key {@code suggestion} (the nearest valid name).
 *
 * <p>{@link #error()} is a summary (the code of the first problem, a message listing all);
 * {@link #errors()} lists them one by one, in the order of the source.
 */
public final class ConfigException extends InfraException {

    private static final long serialVersionUID = 1L;

    private final transient List<InfraError> errors;

    /**
     * @param summary the error that sums the problems up
     * @param errors  the problems, at least one
     */
    public ConfigException(InfraError summary, List<InfraError> errors) {
        super(summary);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every problem found, in source order. */
    public List<InfraError> errors() {
        return errors;
    }
}
