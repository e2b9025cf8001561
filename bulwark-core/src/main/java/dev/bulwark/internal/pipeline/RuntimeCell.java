package dev.bulwark.internal.pipeline;

/**
 * Where a {@code Protection} used directly keeps its runtime: one cell per protection instance,
 * holding the runtime built for the registry (infrastructure) that last ran it.
 */
public final class RuntimeCell {

    volatile ProtectionRuntime runtime;
}
