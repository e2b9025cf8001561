package dev.bulwark.ratelimit;

import java.util.List;
import java.util.Objects;

/**
 * The argument checks of the {@link LimitStore} contract, written once for every store and for
 * the {@link RateLimiter} (which reports a problem as error 6009 instead of throwing).
 */
public final class LimitArguments {

    private LimitArguments() {
    }

    /** What is wrong with a list of rules (null, empty, a null rule, two rules sharing state), or null. */
    public static String rulesProblem(List<RateLimit> limits) {
        if (limits == null || limits.isEmpty()) {
            return "at least one rule is needed, was " + limits;
        }
        for (int i = 0; i < limits.size(); i++) {
            RateLimit rule = limits.get(i);
            if (rule == null) {
                return "limits[" + i + "] is null";
            }
            for (int j = 0; j < i; j++) {
                if (limits.get(j).sameState(rule)) {
                    return "rules " + limits.get(j) + " and " + rule
                            + " have the same limit, window and algorithm and would share state; list one of them";
                }
            }
        }
        return null;
    }

    /** What is wrong with a cost, or null. */
    public static String costProblem(long cost) {
        return cost < 1 ? "cost must be >= 1, was " + cost : null;
    }

    /**
     * Checks a store call's arguments as the {@link LimitStore} contract says.
     *
     * @throws NullPointerException     for a null entity, operation, list or rule
     * @throws IllegalArgumentException for an empty list, two rules sharing state, or {@code cost < 1}
     */
    public static void check(String entityId, String operation, List<RateLimit> limits, long cost) {
        checkKey(entityId, operation);
        Objects.requireNonNull(limits, "limits");
        for (int i = 0; i < limits.size(); i++) {
            Objects.requireNonNull(limits.get(i), "limits[" + i + "]");
        }
        String problem = rulesProblem(limits);
        if (problem == null) {
            problem = costProblem(cost);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Checks the key of a store call.
     *
     * @throws NullPointerException for a null entity or operation
     */
    public static void checkKey(String entityId, String operation) {
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(operation, "operation");
    }
}
