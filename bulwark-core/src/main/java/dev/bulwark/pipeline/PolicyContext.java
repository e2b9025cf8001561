package dev.bulwark.pipeline;

import dev.bulwark.internal.DaemonExecutor;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Timer;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * What a pipeline policy runs on: the {@link Clock} it reads time from, the {@link Timer} it
 * waits on (backoff, timeouts, bounded waits), the {@link Executor} that runs calls under a
 * timeout and resumes asynchronous retries, and the {@link Telemetry} it reports to.
 *
 * <p>An {@code Infrastructure} has one ({@code infra.policyContext()}): its clock, its timer
 * (the {@link dev.bulwark.time.ManualClock} itself when the clock is manual), its executor and
 * its telemetry. {@link #system()} is for policies used on their own. In a test, pass a
 * {@link dev.bulwark.time.ManualClock} as both clock and timer and, for a single-threaded
 * deterministic run of the asynchronous forms, {@code Runnable::run} as executor.
 *
 * <p><b>Closing.</b> A context may be tied to the life of what owns it
 * ({@link Builder#closedWhen}); an {@code Infrastructure}'s context closes with it. Once
 * {@link #isClosed()}, every policy on it answers 2102 SERVICE_UNAVAILABLE ("... is closed") without
 * running the call, and a call that was waiting (for a retry, a timeout, a bulkhead place) when it
 * closed ends with the same error (docs/errors.md, "After close").
 *
 * <p>Immutable and thread-safe.
 */
public final class PolicyContext {

    private static final BooleanSupplier NEVER_CLOSED = () -> false;

    private static final class SystemContext {
        static final PolicyContext INSTANCE = new PolicyContext(Clock.system(), Timer.system(),
                DaemonExecutor.shared(), Telemetry.create(), NEVER_CLOSED);
    }

    private final Clock clock;
    private final Timer timer;
    private final Executor executor;
    private final Telemetry telemetry;
    private final BooleanSupplier closed;

    private PolicyContext(Clock clock, Timer timer, Executor executor, Telemetry telemetry, BooleanSupplier closed) {
        this.clock = clock;
        this.timer = timer;
        this.executor = executor;
        this.telemetry = telemetry;
        this.closed = closed;
    }

    /** Real time, a shared daemon timer and executor, and a telemetry stream nobody listens to. */
    public static PolicyContext system() {
        return SystemContext.INSTANCE;
    }

    /** A builder starting from {@link #system()}. */
    public static Builder builder() {
        return new Builder(system());
    }

    /** A builder starting from this context. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public Clock clock() {
        return clock;
    }

    public Timer timer() {
        return timer;
    }

    public Executor executor() {
        return executor;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /** Whether what owns this context has been closed (then policies answer 2102); never for {@link #system()}. */
    public boolean isClosed() {
        return closed.getAsBoolean();
    }

    @Override
    public String toString() {
        return "PolicyContext[clock=" + clock + ", timer=" + timer + ", executor=" + executor + "]";
    }

    /** Builds a {@link PolicyContext}; not thread-safe. */
    public static final class Builder {
        private Clock clock;
        private Timer timer;
        private Executor executor;
        private Telemetry telemetry;
        private BooleanSupplier closed;

        private Builder(PolicyContext from) {
            this.clock = from.clock;
            this.timer = from.timer;
            this.executor = from.executor;
            this.telemetry = from.telemetry;
            this.closed = from.closed;
        }

        /**
         * The clock; a {@link dev.bulwark.time.ManualClock} (or any clock that is also a
         * {@link Timer}) becomes the timer too, unless {@link #timer} is set afterwards.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            if (clock instanceof Timer clockTimer) {
                this.timer = clockTimer;
            }
            return this;
        }

        public Builder timer(Timer timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /** Runs calls under a timeout and resumes asynchronous retries; must not reject work. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /**
         * Ties the context to the life of its owner: once {@code closed} answers true (it must stay
         * true), policies on the context answer 2102 (see the class comment). Default: never closed.
         */
        public Builder closedWhen(BooleanSupplier closed) {
            this.closed = Objects.requireNonNull(closed, "closed");
            return this;
        }

        public PolicyContext build() {
            return new PolicyContext(clock, timer, executor, telemetry, closed);
        }
    }
}
