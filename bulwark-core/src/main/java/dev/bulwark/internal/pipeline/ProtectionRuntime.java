package dev.bulwark.internal.pipeline;

import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.pipeline.FallbackStage;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One {@link Protection} made runnable: each stage's runtime built (or taken over from the
 * configuration it replaces), and the stages linked once, innermost first, into one synchronous
 * and one asynchronous chain of {@link Step}s ending in the call.
 *
 * <p>Design: the fold happens when the protection is built, not per call. Each stage links itself
 * around the next step, so the JIT sees the same targets at each link for one protection; when every
 * link is built-in ({@link DirectStep}) a call runs without a {@link Call} object, else it makes one
 * and runs {@code chain.run(call)}, and every stage sees that same object. The fallback, always outermost,
 * is applied here rather than linked, because whether it answered decides the outcome reported in
 * {@code protection_executed} and the counts.
 *
 * <p>Immutable after construction; thread-safe.
 */
final class ProtectionRuntime {

    private static final String SUCCESS = "success";
    private static final String FALLBACK = "fallback";
    private static final String REJECTED = "rejected";
    private static final String FAILURE = "failure";

    /** Outcomes of finished calls, kept across reconfigurations of a named protection. */
    static final class Counters {
        final LongAdder successes = new LongAdder();
        final LongAdder fallbacks = new LongAdder();
        final LongAdder failures = new LongAdder();
    }

    final ProtectionRegistry registry;
    final String key;
    final Protection spec;
    final Counters counters;
    /** The stage runtimes by slot, in pipeline order. */
    final Map<Slot, Stage> stages;

    private final FallbackStage.Runtime fallback;
    private final Step chain;
    /** The chain when every step of it is built-in, so no {@link Call} is made; else null. */
    private final DirectStep directChain;
    private final AsyncStep asyncChain;
    private final Clock clock;
    private final EventChannel executedChannel;
    private final Map<String, Object> successMetadata;
    private final Map<String, Object> fallbackMetadata;

    /**
     * Builds the runtime of {@code spec} under {@code key}, offering each stage the runtime of its
     * slot in {@code previous} (the runtime it replaces, or null).
     *
     * @throws RuntimeException if a stage cannot be built (its breaker cannot be installed...)
     */
    ProtectionRuntime(ProtectionRegistry registry, String key, Protection spec, ProtectionRuntime previous) {
        this.registry = registry;
        this.key = key;
        this.spec = spec;
        this.clock = registry.policyContext().clock();
        this.counters = previous != null ? previous.counters : new Counters();
        StageContextImpl context = new StageContextImpl(key, registry);
        Map<Slot, Stage> built = new LinkedHashMap<>();
        for (StageSpec stageSpec : spec.stages()) {
            Stage before = previous == null ? null : previous.stages.get(stageSpec.slot());
            Stage runtime = before == null ? stageSpec.create(context) : stageSpec.reconfigure(context, before);
            if (runtime == null) {
                throw new IllegalStateException("stage " + stageSpec + " built no runtime");
            }
            built.put(stageSpec.slot(), runtime);
        }
        this.stages = java.util.Collections.unmodifiableMap(built);

        List<Stage> linked = new ArrayList<>(built.values());
        this.fallback = !linked.isEmpty() && linked.get(0) instanceof FallbackStage.Runtime f ? f : null;
        if (fallback != null) {
            linked.remove(0);
        }
        Step step = Step.call(clock);
        AsyncStep asyncStep = AsyncStep.call(clock);
        for (int i = linked.size() - 1; i >= 0; i--) {
            step = linked.get(i).link(step);
            asyncStep = linked.get(i).linkAsync(asyncStep);
        }
        this.chain = step;
        this.directChain = step instanceof DirectStep direct && !direct.reachesCallStage() ? direct : null;
        this.asyncChain = asyncStep;

        this.executedChannel = registry.policyContext().telemetry().channel(Events.PROTECTION_EXECUTED);
        this.successMetadata = Map.of(EventKeys.KEY, key, EventKeys.PROTECTIONS, spec.parts(), EventKeys.OUTCOME, SUCCESS);
        this.fallbackMetadata = Map.of(EventKeys.KEY, key, EventKeys.PROTECTIONS, spec.parts(), EventKeys.OUTCOME, FALLBACK);
    }

    /** Runs one call. */
    <T> Result<T> execute(ThrowingSupplier<T> operation, String entityId, Criticality criticality) {
        boolean report = executedChannel.isActive();
        long start = report ? clock.nanoTime() : 0L;
        Result<T> outcome = directChain != null ? directChain.run(operation, entityId, criticality, null)
                : chain.run(Call.of(operation, entityId, criticality));
        return finish(outcome, start, report, false);
    }

    <T> CompletionStage<Result<T>> executeAsync(Supplier<? extends CompletionStage<T>> operation, String entityId,
                                                Criticality criticality) {
        boolean report = executedChannel.isActive();
        long start = report ? clock.nanoTime() : 0L;
        return asyncChain.run(Call.ofAsync(operation, entityId, criticality)).thenApply(r -> finish(r, start, report, true));
    }

    /** The status of each stage, by slot name, in pipeline order (null values left out). */
    Map<String, ComponentStatus> stageStatus() {
        Map<String, ComponentStatus> out = new LinkedHashMap<>();
        stages.forEach((slot, stage) -> {
            ComponentStatus status = stage.status();
            if (status != null) {
                out.put(slot.name(), status);
            }
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    /** {@code async}: the outcome completed an asynchronous call (a fallback's VirtualMachineError is then 7005). */
    private <T> Result<T> finish(Result<T> outcome, long start, boolean report, boolean async) {
        if (fallback == null && !report && outcome instanceof Result.Ok) {
            counters.successes.increment();   // the common case, kept small enough to inline
            return outcome;
        }
        return finishSlowly(outcome, start, report, async);
    }

    @SuppressWarnings("unchecked")
    private <T> Result<T> finishSlowly(Result<T> outcome, long start, boolean report, boolean async) {
        Result<T> result = outcome;
        boolean fellBack = false;
        if (fallback != null) {
            result = async ? fallback.handleAsync(outcome) : fallback.handle(outcome);
            fellBack = outcome.isErr() && result.isOk();
        }
        Map<String, Object> metadata;
        if (fellBack) {
            counters.fallbacks.increment();
            metadata = fallbackMetadata;
        } else if (result.isOk()) {
            counters.successes.increment();
            metadata = successMetadata;
        } else {
            counters.failures.increment();
            metadata = null;
        }
        if (report) {
            if (metadata == null) {
                InfraError error = ((Result.Err<T>) result).error();
                metadata = Map.of(EventKeys.KEY, key, EventKeys.PROTECTIONS, spec.parts(),
                        EventKeys.OUTCOME, error.isRejection() ? REJECTED : FAILURE, EventKeys.ERROR_CODE, error.code());
            }
            executedChannel.emit(EventKeys.DURATION_US, (clock.nanoTime() - start) / 1_000L, metadata);
        }
        return result;
    }

    @Override
    public String toString() {
        return "ProtectionRuntime[" + key + ", " + spec.parts() + "]";
    }
}
