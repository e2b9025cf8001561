package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.internal.pipeline.DirectStep;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.memory.MemoryMonitor;
import dev.bulwark.memory.MemoryPressure;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shed stage ({@link Slot#SHED}, {@code Protection.builder().shed()}): turns work away by its
 * {@link Criticality} while the infrastructure's {@link MemoryMonitor} reports memory pressure.
 *
 * <table>
 * <caption>What is shed at each level</caption>
 * <tr><th>level</th><th>CRITICAL calls</th><th>DEFAULT calls</th><th>SHEDDABLE calls</th></tr>
 * <tr><td>NORMAL</td><td>run</td><td>run</td><td>run</td></tr>
 * <tr><td>ELEVATED</td><td>run</td><td>run</td><td>rejected</td></tr>
 * <tr><td>CRITICAL</td><td>run</td><td>rejected</td><td>rejected</td></tr>
 * </table>
 *
 * A rejection is error 7201 ({@code LOAD_SHED}, HTTP 503, no stack trace, retry with exponential
 * backoff) and the event {@code overload.shed}. The stage sits outside the bulkhead, the timeouts
 * and the retry: shed work takes no place, starts no timer and is never retried. A call's
 * criticality is given per call ({@code infra.executeProtected(key, entity, Criticality.SHEDDABLE,
 * call)}); calls that give none are {@link Criticality#DEFAULT}.
 *
 * <p>Cost: at NORMAL a call pays one volatile read of the level (docs/benchmarks.md).
 *
 * <p>A value without parameters: every {@code ShedStage} is equal to every other. Building it needs
 * a {@link MemoryMonitor} component (every {@code Infrastructure} has one).
 */
public record ShedStage() implements StageSpec {

    @Override
    public Slot slot() {
        return Slot.SHED;
    }

    /**
     * @throws IllegalStateException if no {@link MemoryMonitor} is registered
     */
    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        MemoryMonitor monitor = context.component(MemoryMonitor.class).orElseThrow(() -> new IllegalStateException(
                "the shed stage of '" + context.protectionName() + "' needs a MemoryMonitor component, and none is registered"));
        return new Runtime(this, monitor, context.protectionName(), context.policyContext());
    }

    /** Whether a call of {@code criticality} is shed at {@code level}. */
    public static boolean sheds(MemoryPressure level, Criticality criticality) {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(criticality, "criticality");
        return switch (level) {
            case NORMAL -> false;
            case ELEVATED -> criticality == Criticality.SHEDDABLE;
            case CRITICAL -> criticality != Criticality.CRITICAL;
        };
    }

    /**
     * The status of a shed stage.
     *
     * @param level          the memory pressure now
     * @param shedSheddable  sheddable calls rejected so far
     * @param shedDefault    default calls rejected so far (at CRITICAL only)
     */
    public record Stats(MemoryPressure level, long shedSheddable, long shedDefault) implements ComponentStatus {
    }

    static final class Runtime implements Stage {
        private final ShedStage spec;
        private final MemoryMonitor monitor;
        private final String name;
        private final Clock clock;
        private final EventChannel shedChannel;
        private final LongAdder shedSheddable = new LongAdder();
        private final LongAdder shedDefault = new LongAdder();

        Runtime(ShedStage spec, MemoryMonitor monitor, String name, PolicyContext context) {
            this.spec = spec;
            this.monitor = monitor;
            this.name = name;
            this.clock = context.clock();
            this.shedChannel = context.telemetry().channel(Events.OVERLOAD_SHED);
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            MemoryPressure level = monitor.level();
            if (level != MemoryPressure.NORMAL) {
                InfraError rejection = rejection(level, call.criticality());
                if (rejection != null) {
                    return Result.err(rejection);
                }
            }
            return next.run(call);
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            MemoryPressure level = monitor.level();
            if (level != MemoryPressure.NORMAL) {
                InfraError rejection = rejection(level, call.criticality());
                if (rejection != null) {
                    return CompletableFuture.completedFuture(Result.err(rejection));
                }
            }
            return next.run(call);
        }

        @Override
        public Step link(Step next) {
            Objects.requireNonNull(next, "next");
            return new ShedStep(this, monitor, next);
        }

        @Override
        public AsyncStep linkAsync(AsyncStep next) {
            Objects.requireNonNull(next, "next");
            return new LinkedAsync(this, next);
        }

        private record LinkedAsync(Runtime stage, AsyncStep next) implements AsyncStep {
            @Override
            public <T> CompletionStage<Result<T>> run(Call<T> call) {
                return stage.executeAsync(call, next);
            }
        }

        @Override
        public ComponentStatus status() {
            return new Stats(monitor.level(), shedSheddable.sum(), shedDefault.sum());
        }

        /** The error that sheds a call of {@code criticality} at {@code level}, or null if it runs. */
        InfraError rejection(MemoryPressure level, Criticality criticality) {
            if (!sheds(level, criticality)) {
                return null;
            }
            (criticality == Criticality.SHEDDABLE ? shedSheddable : shedDefault).increment();
            if (shedChannel.isActive()) {
                shedChannel.emit(Map.of(), Map.of(EventKeys.NAME, name, EventKeys.LEVEL, level.label(),
                        EventKeys.CRITICALITY, criticality.label()));
            }
            return InfraError.builder(CoreErrorCode.LOAD_SHED)
                    .message("'" + name + "' shed a " + criticality.label() + " call: memory pressure is " + level.label()
                            + (level == MemoryPressure.ELEVATED ? " (sheddable work is rejected)" : " (only critical work runs)"))
                    .context("name", name)
                    .context("memory_pressure", level.label())
                    .context("criticality", criticality.label())
                    .timestampMillis(clock.currentTimeMillis())
                    .build();
        }
    }

    /** The linked form: at NORMAL, one volatile read and the next step. */
    static final class ShedStep extends DirectStep {
        private final Runtime runtime;
        private final MemoryMonitor monitor;

        ShedStep(Runtime runtime, MemoryMonitor monitor, Step next) {
            super(next);
            this.runtime = runtime;
            this.monitor = monitor;
        }

        @Override
        public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
            MemoryPressure level = monitor.level();
            if (level != MemoryPressure.NORMAL) {
                InfraError rejection = runtime.rejection(level, criticality);
                if (rejection != null) {
                    return Result.err(rejection);
                }
            }
            return next.run(operation, entityId, criticality, call);
        }
    }
}
