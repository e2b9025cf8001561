package dev.bulwark.pipeline;

/** Validation of policy names. */
final class PolicyNames {

    private PolicyNames() {
    }

    static String require(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-blank, was " + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }
}
