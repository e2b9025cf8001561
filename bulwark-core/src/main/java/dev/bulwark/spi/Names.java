package dev.bulwark.spi;

/**
 * The one rule for the names of things registered by name (breakers, protection keys, pools,
 * health checks): 1 to {@value #MAX_LENGTH} characters, not blank, no control characters. Core's
 * registries and modules' use it, so a name valid for one is valid for all.
 */
public final class Names {

    /** The longest name. */
    public static final int MAX_LENGTH = 255;

    private Names() {
    }

    /**
     * Why {@code name} is not a valid name, or null when it is.
     *
     * @param what what the name names, for the message (e.g. {@code "circuit breaker name"})
     */
    public static String problem(String what, String name) {
        java.util.Objects.requireNonNull(what, "what");
        if (name == null) {
            return what + " must not be null";
        }
        if (name.isBlank()) {
            return what + " must not be blank, was '" + name + "'";
        }
        if (name.length() > MAX_LENGTH) {
            return what + " must be at most " + MAX_LENGTH + " characters, was " + name.length()
                    + " ('" + name.substring(0, 32) + "...')";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return what + " must not contain control characters, was '" + name.replaceAll("\\p{Cntrl}", "?") + "'";
            }
        }
        return null;
    }

    /**
     * {@code name}, if valid.
     *
     * @throws IllegalArgumentException with {@link #problem}'s message otherwise
     */
    public static String require(String what, String name) {
        String problem = problem(what, name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return name;
    }
}
