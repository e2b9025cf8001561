package dev.bulwark.error;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The error codes one {@code Infrastructure} can produce: core's ({@link CoreErrorCode}) and those
 * its modules register ({@code ModuleContext.errorCodes().register(PoolErrorCode.class)}).
 *
 * <p>A code number belongs to one entry: registering another entry under a number already taken
 * throws, so a clash between two modules fails {@code Infrastructure.builder().build()} instead of
 * surfacing as a wrong error at run time. Registering the same entry again is a no-op.
 *
 * <p>Thread-safe.
 */
public final class ErrorCatalogue {

    private final TreeMap<Integer, ErrorCode> byCode = new TreeMap<>();

    private ErrorCatalogue() {
    }

    /** A catalogue holding core's codes. */
    public static ErrorCatalogue withCoreCodes() {
        ErrorCatalogue catalogue = new ErrorCatalogue();
        catalogue.register(CoreErrorCode.class);
        return catalogue;
    }

    /**
     * Registers every constant of an enum of codes.
     *
     * @throws IllegalStateException if one of its numbers is already taken by another entry
     */
    public <E extends Enum<E> & ErrorCode> ErrorCatalogue register(Class<E> codes) {
        Objects.requireNonNull(codes, "codes");
        return register(Arrays.asList(codes.getEnumConstants()));
    }

    /**
     * Registers the given codes, all or none.
     *
     * @throws IllegalStateException if a number is taken by another entry, or given twice
     */
    public ErrorCatalogue register(List<? extends ErrorCode> codes) {
        Objects.requireNonNull(codes, "codes");
        synchronized (byCode) {
            TreeMap<Integer, ErrorCode> added = new TreeMap<>();
            for (int i = 0; i < codes.size(); i++) {
                ErrorCode code = Objects.requireNonNull(codes.get(i), "codes[" + i + "]");
                ErrorCode taken = byCode.get(code.code());
                if (taken == null) {
                    taken = added.get(code.code());
                }
                if (taken != null && !taken.equals(code)) {
                    throw new IllegalStateException("error code " + code.code() + " (" + describe(code)
                            + ") is already registered as " + describe(taken));
                }
                added.put(code.code(), code);
            }
            byCode.putAll(added);
        }
        return this;
    }

    /** The entry of a numeric code, if registered. */
    public Optional<ErrorCode> find(int code) {
        synchronized (byCode) {
            return Optional.ofNullable(byCode.get(code));
        }
    }

    /** Every registered entry, by code. */
    public List<ErrorCode> all() {
        synchronized (byCode) {
            return List.copyOf(new ArrayList<>(byCode.values()));
        }
    }

    private static String describe(ErrorCode code) {
        return code.getClass().getSimpleName() + "." + code + " " + code.type();
    }

    @Override
    public String toString() {
        return "ErrorCatalogue" + all().stream().map(ErrorCode::code).toList();
    }
}
