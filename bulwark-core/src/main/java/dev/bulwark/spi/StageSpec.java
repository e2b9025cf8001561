package dev.bulwark.spi;

/**
 * The configuration of one pipeline stage: an immutable value with value equality, in a
 * {@link Slot}, that builds the stage's runtime for a protection
 * ({@code Protection.builder().stage(spec)}). Core's stages (retry, bulkhead, breaker...) are
 * specs like any other.
 *
 * <p><b>Reconfiguration.</b> When a named protection is configured again, each new spec is offered
 * the runtime of the same slot in the configuration it replaces ({@link #reconfigure}). By default
 * an equal spec keeps that runtime, with its state (places in flight, budget, last good value);
 * a different one builds a fresh runtime. A stage that can carry its state over a change (a
 * bulkhead keeping its calls in flight under a new limit) overrides {@code reconfigure}.
 *
 * <p>Implementations must be immutable and implement {@code equals} / {@code hashCode} by value.
 */
public interface StageSpec {

    /** Where the stage sits in the pipeline. */
    Slot slot();

    /**
     * Builds the stage's runtime for one protection.
     *
     * @throws RuntimeException if it cannot be built (the protection is then rejected with 7007)
     */
    Stage create(StageContext context);

    /**
     * The runtime to use after a reconfiguration, given the runtime of this slot before it.
     *
     * @param previous the runtime before; its {@link Stage#spec()} may be of another class
     */
    default Stage reconfigure(StageContext context, Stage previous) {
        java.util.Objects.requireNonNull(context, "context");
        java.util.Objects.requireNonNull(previous, "previous");
        return equals(previous.spec()) ? previous : create(context);
    }
}
