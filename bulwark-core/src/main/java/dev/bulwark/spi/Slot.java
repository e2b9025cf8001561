package dev.bulwark.spi;

import java.util.List;
import java.util.Objects;

/**
 * A place in the pipeline's fixed order. A {@code Protection} holds at most one stage per slot,
 * and its stages always nest in slot order, outermost (lowest {@link #order()}) first:
 * <pre>
 * fallback → rate limit → shed → adaptive concurrency → bulkhead → total timeout → retry
 *          → hedge → circuit breaker → attempt timeout → pool → the call
 * </pre>
 * A third-party stage uses one of these slots or declares a slot of its own with
 * {@link #of(String, int)}, between two core slots (e.g. order 650 sits inside retry and outside
 * hedge, so each retry attempt passes it once).
 *
 * <p>Immutable; equal when name and order are equal.
 */
public final class Slot implements Comparable<Slot> {

    public static final Slot FALLBACK = new Slot("fallback", 100);
    public static final Slot RATE_LIMIT = new Slot("rate_limit", 200);
    public static final Slot SHED = new Slot("shed", 300);
    public static final Slot ADAPTIVE_CONCURRENCY = new Slot("adaptive_concurrency", 350);
    public static final Slot BULKHEAD = new Slot("bulkhead", 400);
    public static final Slot TOTAL_TIMEOUT = new Slot("total_timeout", 500);
    public static final Slot RETRY = new Slot("retry", 600);
    public static final Slot HEDGE = new Slot("hedge", 700);
    public static final Slot CIRCUIT_BREAKER = new Slot("circuit_breaker", 800);
    public static final Slot ATTEMPT_TIMEOUT = new Slot("attempt_timeout", 900);
    public static final Slot POOL = new Slot("pool", 1000);

    private static final List<Slot> CORE = List.of(FALLBACK, RATE_LIMIT, SHED, ADAPTIVE_CONCURRENCY, BULKHEAD,
            TOTAL_TIMEOUT, RETRY, HEDGE, CIRCUIT_BREAKER, ATTEMPT_TIMEOUT, POOL);

    /**
     * The lowest and highest order a third-party slot may have: the fallback is always outermost
     * (it answers whatever comes out), and the call itself sits after {@link #MAX_ORDER}.
     */
    public static final int MIN_ORDER = 101;
    public static final int MAX_ORDER = 1099;

    private final String name;
    private final int order;

    private Slot(String name, int order) {
        this.name = name;
        this.order = order;
    }

    /**
     * A slot of a third-party stage.
     *
     * @param name  lower_snake_case, not the name of a core slot; what {@code protection.parts()} reports
     * @param order its place, between {@link #MIN_ORDER} and {@link #MAX_ORDER}, not a core slot's order
     * @throws IllegalArgumentException if the name or order is invalid or taken by a core slot
     */
    public static Slot of(String name, int order) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("slot name must be lower_snake_case (at most 64), was '" + name + "'");
        }
        if (order < MIN_ORDER || order > MAX_ORDER) {
            throw new IllegalArgumentException("slot order must be between " + MIN_ORDER + " and " + MAX_ORDER
                    + ", was " + order);
        }
        for (Slot core : CORE) {
            if (core.name.equals(name) || core.order == order) {
                throw new IllegalArgumentException("slot '" + name + "' at " + order + " collides with core slot "
                        + core);
            }
        }
        return new Slot(name, order);
    }

    /** Core's slots, in pipeline order. */
    public static List<Slot> coreSlots() {
        return CORE;
    }

    /** The slot's name, as reported by {@code Protection.parts()}, events and status. */
    public String name() {
        return name;
    }

    /** Its place: lower is outer. */
    public int order() {
        return order;
    }

    @Override
    public int compareTo(Slot other) {
        return Integer.compare(order, other.order);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slot other && order == other.order && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + order;
    }

    @Override
    public String toString() {
        return name + "@" + order;
    }
}
