package dev.bulwark.circuit;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A named circuit breaker: it lets calls to a dependency through while the dependency is healthy,
 * and rejects them at once (code 5004, with {@code retryAfter}) while it is not, so that callers
 * fail fast instead of piling up on timeouts. Obtain one from {@link CircuitBreakers#install}.
 *
 * <pre>{@code
 * CircuitBreaker db = infra.circuitBreakers().install("database_service");
 * Result<List<User>> users = db.execute(() -> database.query("SELECT * FROM users"));
 * List<User> same = db.call(() -> database.query("SELECT * FROM users"));   // throws InfraException
 * }</pre>
 *
 * <h2>Running calls</h2>
 * <ul>
 *   <li>{@link #execute(ThrowingSupplier)} returns a {@link Result} and never throws for an expected
 *       failure: {@code Ok(value)}, or {@code Err} with 5004 (rejected), 5003 (the call threw an
 *       exception), 5012 (it threw an {@link Error}, was interrupted or cancelled), 5009 (null
 *       operation) or 5006 (a classification predicate of the configuration threw).</li>
 *   <li>{@link #call(ThrowingSupplier)} returns the value or throws {@link InfraException} with the
 *       same codes. A rejection's exception has no stack trace.</li>
 *   <li>{@link #executeAsync(Supplier)} for calls that return a {@link CompletionStage}.</li>
 *   <li>{@link #tryAcquire()} (or {@link #tryAcquireOrRejection()}) then exactly one of
 *       {@link #onSuccess(long)}, {@link #onFailure(long, Throwable)}, {@link #onResult(long, Object)}
 *       or {@link #onIgnored()}, for callers that run the call themselves.</li>
 * </ul>
 * A returned value is always handed back, even when {@link CircuitBreakerConfig.Builder#recordResults}
 * counts it as a failure. A {@link VirtualMachineError} (out of memory, stack overflow) is not
 * turned into a result: the breaker gives its permit back and lets it propagate.
 *
 * <h2>Time</h2>
 * Time comes only from the injected {@link Clock}. Transitions that time alone causes (open to
 * closed or half-open, trial timeout) happen at the first call or query after their time has come;
 * no background timer is involved. {@link #state()} and {@link #stats()} always report the state
 * as of now.
 *
 * <h2>Cost</h2>
 * The closed success path of {@link #call} reads one volatile field, takes no lock and allocates
 * nothing ({@link #execute} allocates its {@code Ok}); it reads the clock only when a policy needs
 * it (a time window or a slow-call threshold) or a telemetry handler listens to
 * {@code call_executed}. An open breaker rejects with one clock read and hands out a 5004 error
 * built at most once per millisecond.
 *
 * <p>Thread-safe. Re-installing under the same name keeps this instance and replaces its
 * configuration atomically.
 */
public final class CircuitBreaker {

    private static final VarHandle PHASE;

    static {
        try {
            PHASE = MethodHandles.lookup().findVarHandle(CircuitBreaker.class, "phase", Phase.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Clock clock;
    private final BreakerEvents events;
    private final BreakerErrors errors;
    private final Counters counters = new Counters();

    @SuppressWarnings("unused") // accessed through PHASE
    private volatile Phase phase;

    CircuitBreaker(String name, CircuitBreakerConfig config, Clock clock, Telemetry telemetry) {
        this.name = name;
        this.clock = clock;
        this.events = new BreakerEvents(name, telemetry);
        this.errors = new BreakerErrors(name, clock);
        this.phase = new ClosedPhase(new Rules(config, clock), counters, clock.nanoTime(), 0, Cause.MANUAL);
    }

    /** The name this breaker was installed under. */
    public String name() {
        return name;
    }

    /** The configuration in force. */
    public CircuitBreakerConfig config() {
        return phase().rules.config;
    }

    /** The state as of now (applying any transition whose time has come). */
    public State state() {
        return current(clock.nanoTime()).state;
    }

    /** A snapshot of this breaker's state, counts and rates as of now. */
    public Stats stats() {
        long now = clock.nanoTime();
        Phase p = current(now);
        Rules rules = p.rules;
        ClosedPhase measured = p.measuredPhase();
        Counters.Snapshot counts = counters.sinceRestart();
        long ok = counts.ok();
        long melts = counts.melts();
        Rules.RateRule failureRule = rules.rule(false);
        // the windows of a breaker that tripped stay as they were at the trip; a closed one's move with time
        boolean live = measured == p;
        double failureRate = failureRule != null
                ? windowRate(measured, failureRule, live, now)
                : (ok + melts == 0 ? 0.0 : 100.0 * melts / (ok + melts));
        Rules.RateRule slowRule = rules.rule(true);
        double slowRate = slowRule != null ? windowRate(measured, slowRule, live, now) : 0.0;
        long retryAfter = p.retryAfterNanos(now);
        return new Stats(name, p.state, ok, melts, counts.rejected(), counts.ignored(), counts.slowCalls(),
                failureRate, slowRate, Duration.ofNanos(Math.max(0L, now - p.enteredAt)),
                retryAfter < 0 ? null : Duration.ofNanos(retryAfter));
    }

    private static double windowRate(ClosedPhase measured, Rules.RateRule rule, boolean live, long now) {
        if (measured == null) {
            return 0.0;
        }
        CallWindow w = measured.window(rule);
        if (live) {
            w.advance(now);
        }
        long calls = w.calls();
        return calls == 0 ? 0.0 : 100.0 * (rule.slowCalls() ? w.slowCalls() : w.failures()) / calls;
    }

    // ---------------------------------------------------------------- running calls

    /**
     * Runs {@code operation} if the breaker admits it and counts its outcome.
     *
     * @return {@code Ok(value)}; or {@code Err} with 5004 when rejected (retryAfter set when open),
     *         5003 when the operation threw an exception, 5012 when it threw an {@link Error} or was
     *         interrupted (the thread's interrupt flag is restored), 5009 when {@code operation} is
     *         null, 5006 when a classification predicate threw
     */
    public <T> Result<T> execute(ThrowingSupplier<T> operation) {
        return execute(operation, null);
    }

    /**
     * {@link #execute(ThrowingSupplier)} with caller metadata added to the
     * {@code circuit_breaker.call_executed} event.
     */
    public <T> Result<T> execute(ThrowingSupplier<T> operation, Map<String, ?> callerMetadata) {
        if (operation == null) {
            return Result.err(errors.nullOperation());
        }
        Admission admission = admit();
        if (admission instanceof Rejection rejection) {
            return rejection.result();
        }
        Phase p = (Phase) admission;
        boolean timed = p.rules.timesCalls || events.executedWanted();
        long start = timed ? clock.nanoTime() : 0L;
        T value;
        try {
            value = operation.get();
        } catch (Throwable thrown) {
            return Result.err(countThrown(p, timed, start, thrown, callerMetadata));
        }
        InfraError error = countReturned(p, timed, start, value, callerMetadata);
        return error == null ? new Result.Ok<>(value) : Result.err(error);
    }

    /**
     * Runs {@code operation} if the breaker admits it and counts its outcome.
     *
     * @return the operation's value
     * @throws InfraException 5004 when rejected (no stack trace), 5003 when the operation threw an
     *                        exception (the cause), 5012 for an {@link Error} or an interrupt, 5009
     *                        when {@code operation} is null, 5006 when a classification predicate threw
     */
    public <T> T call(ThrowingSupplier<T> operation) {
        if (operation == null) {
            throw errors.nullOperation().toException();
        }
        Admission admission = admit();
        if (admission instanceof Rejection rejection) {
            throw rejection.toException();
        }
        Phase p = (Phase) admission;
        boolean timed = p.rules.timesCalls || events.executedWanted();
        long start = timed ? clock.nanoTime() : 0L;
        T value;
        try {
            value = operation.get();
        } catch (Throwable thrown) {
            throw countThrown(p, timed, start, thrown, null).toException();
        }
        InfraError error = countReturned(p, timed, start, value, null);
        if (error != null) {
            throw error.toException();
        }
        return value;
    }

    /**
     * Starts {@code operation} if the breaker admits it and counts the outcome of the stage it
     * returns. The returned stage never completes exceptionally for an expected failure: it
     * completes with {@code Ok} or {@code Err} exactly as {@link #execute} would. A rejection
     * completes it at once without calling {@code operation}.
     *
     * <p>Cancelling the returned future gives the permit back without counting the call and
     * cancels the operation's stage (when it is a {@link java.util.concurrent.Future}). A stage
     * that completes with a {@link java.util.concurrent.CancellationException} is counted as ignored and yields 5012;
     * one that completes with a {@link VirtualMachineError} gives the permit back uncounted and
     * yields 5012 with the error as cause (a {@code VirtualMachineError} thrown by {@code operation}
     * itself, on the caller's thread, propagates).
     */
    public <T> CompletionStage<Result<T>> executeAsync(Supplier<? extends CompletionStage<T>> operation) {
        if (operation == null) {
            return CompletableFuture.completedFuture(Result.err(errors.nullOperation()));
        }
        Admission admission = admit();
        if (admission instanceof Rejection rejection) {
            return CompletableFuture.completedFuture(rejection.result());
        }
        Phase p = (Phase) admission;
        boolean timed = p.rules.timesCalls || events.executedWanted();
        long start = timed ? clock.nanoTime() : 0L;
        CompletionStage<T> stage;
        try {
            stage = operation.get();
        } catch (Throwable thrown) {
            return CompletableFuture.completedFuture(Result.err(countThrown(p, timed, start, thrown, null)));
        }
        if (stage == null) {
            NullPointerException npe = new NullPointerException("the async operation returned a null stage");
            return CompletableFuture.completedFuture(Result.err(countThrown(p, timed, start, npe, null)));
        }
        AsyncCall<T> call = new AsyncCall<>(this, p, timed, start, stage);
        stage.whenComplete(call);
        return call;
    }

    // ---------------------------------------------------------------- calls run by the caller

    /**
     * Asks for a permit to run one call. On {@code true} the caller runs the call and then reports
     * exactly one of {@link #onSuccess(long)}, {@link #onFailure(long, Throwable)},
     * {@link #onResult(long, Object)} or {@link #onIgnored()}; a half-open trial permit is only
     * given back that way (or by the trial timeout). On {@code false} the rejection is counted and
     * emitted like any other.
     */
    public boolean tryAcquire() {
        return admit() instanceof Phase;
    }

    /**
     * Like {@link #tryAcquire()}, but says why a call is refused, in the same step: returns null
     * when a permit was granted, otherwise the 5004 error of this very rejection (open, disabled,
     * half-open full or fault injected; the one {@link #execute} would have returned). Allocates
     * nothing: the error is the breaker's cached rejection.
     *
     * @return null when admitted, else the rejection
     */
    public InfraError tryAcquireOrRejection() {
        Admission admission = admit();
        return admission instanceof Rejection rejection ? rejection.error : null;
    }

    /**
     * The 5004 error this breaker would reject a call with now (open, disabled, or half-open with
     * every trial permit taken), or null if it would admit one (fault injection aside). Takes no
     * permit and counts nothing: use it to report why {@link #tryAcquire()} returned false.
     */
    public InfraError rejectionError() {
        long now = clock.nanoTime();
        Phase p = current(now);
        if (p instanceof ShutdownPhase shutDown) {
            return shutDown.rejection.error;
        }
        if (p instanceof OpenPhase) {
            return p.rejection(this, RejectionReason.OPEN, now).error;
        }
        if (p instanceof DisabledPhase) {
            return p.rejection(this, RejectionReason.DISABLED, now).error;
        }
        if (p instanceof HalfOpenPhase halfOpen && !halfOpen.hasPermit()) {
            return p.rejection(this, RejectionReason.HALF_OPEN_FULL, now).error;
        }
        return null;
    }

    /**
     * Reports that a call admitted by {@link #tryAcquire()} succeeded after {@code durationNanos}.
     * Like every {@code on...} report, it goes to the breaker's state as of now, once the
     * transitions whose time has come are applied (so it counts the same whether or not anyone
     * looked at the breaker in between).
     *
     * @throws IllegalArgumentException if {@code durationNanos} is negative
     */
    public void onSuccess(long durationNanos) {
        requireDuration(durationNanos);
        Phase p = phase();
        if (p instanceof ClosedPhase) { // nothing is ever due in a closed phase: the hot path reads no clock
            countSuccess(p, p.successNeedsClock ? clock.nanoTime() : 0L, durationNanos);
            return;
        }
        long now = clock.nanoTime();
        p = current(now);
        if (!(p instanceof ShutdownPhase)) {
            countSuccess(p, now, durationNanos);
        }
    }

    /**
     * Reports that a call admitted by {@link #tryAcquire()} threw {@code failure} after
     * {@code durationNanos}; the configuration decides whether it counts as a failure, a success or
     * not at all. A null {@code failure} counts as a failure. If a classification predicate throws,
     * the outcome is not counted and the permit is given back (a {@link VirtualMachineError} of the
     * predicate then propagates).
     *
     * @throws IllegalArgumentException if {@code durationNanos} is negative
     */
    public void onFailure(long durationNanos, Throwable failure) {
        requireDuration(durationNanos);
        long now = clock.nanoTime();
        Phase p = current(now);
        if (p instanceof ShutdownPhase) {
            return; // closed: nothing is counted any more
        }
        Rules.Verdict verdict = Rules.Verdict.FAILURE;
        if (failure != null) {
            try {
                verdict = p.rules.classify(failure);
            } catch (VirtualMachineError fatal) {
                p.onIgnored(); // the permit comes back before the error goes on
                throw fatal;
            } catch (Throwable predicateFailed) {
                verdict = Rules.Verdict.IGNORED;
            }
        }
        count(p, verdict, now, durationNanos);
    }

    /**
     * Reports that a call admitted by {@link #tryAcquire()} returned {@code result} after
     * {@code durationNanos}; it counts as a failure when it matches
     * {@link CircuitBreakerConfig.Builder#recordResults}, else as a success.
     *
     * @throws IllegalArgumentException if {@code durationNanos} is negative
     */
    public void onResult(long durationNanos, Object result) {
        requireDuration(durationNanos);
        Phase p = phase();
        if (!(p instanceof ClosedPhase)) {
            p = current(clock.nanoTime());
            if (p instanceof ShutdownPhase) {
                return;
            }
        }
        Rules.Verdict verdict = Rules.Verdict.SUCCESS;
        if (p.rules.recordResults != null) {
            try {
                verdict = p.rules.recordResults.test(result) ? Rules.Verdict.FAILURE : Rules.Verdict.SUCCESS;
            } catch (VirtualMachineError fatal) {
                p.onIgnored();
                throw fatal;
            } catch (Throwable predicateFailed) {
                verdict = Rules.Verdict.IGNORED;
            }
        }
        count(p, verdict, verdict == Rules.Verdict.SUCCESS && !p.successNeedsClock ? 0L : clock.nanoTime(),
                durationNanos);
    }

    /**
     * Gives back the permit of a call admitted by {@link #tryAcquire()} without counting it: the
     * call was cancelled, interrupted, or its outcome says nothing about the dependency.
     */
    public void onIgnored() {
        Phase p = phase();
        if (!(p instanceof ClosedPhase)) {
            p = current(clock.nanoTime());
            if (p instanceof ShutdownPhase) {
                return;
            }
        }
        countIgnored(p);
    }

    // ---------------------------------------------------------------- manual control

    /**
     * Closes the breaker and clears its history, as fuse's {@code reset}. A disabled breaker stays
     * disabled.
     *
     * @return the state afterwards
     * @throws InfraException 2102 if the breaker's registry (its infrastructure) is closed
     */
    public State reset() {
        requireOpenRegistry();
        long now = clock.nanoTime();
        return replace(now, p -> p instanceof DisabledPhase ? null : new ClosedPhase(p.rules, counters, now, 0, Cause.MANUAL)).state;
    }

    /**
     * Forces the breaker open (fuse's {@code circuit_disable}): every call is rejected with 5004,
     * reason {@code disabled}, until {@link #enable()}. Survives re-install and reset.
     *
     * @return the state afterwards ({@link State#DISABLED})
     * @throws InfraException 2102 if the breaker's registry (its infrastructure) is closed
     */
    public State disable() {
        requireOpenRegistry();
        long now = clock.nanoTime();
        return replace(now, p -> p instanceof DisabledPhase ? null : new DisabledPhase(p.rules, counters, now)).state;
    }

    /**
     * Ends a {@link #disable()}: the breaker closes with empty history. No effect on a breaker that
     * is not disabled.
     *
     * @return the state afterwards
     * @throws InfraException 2102 if the breaker's registry (its infrastructure) is closed
     */
    public State enable() {
        requireOpenRegistry();
        long now = clock.nanoTime();
        return replace(now, p -> p instanceof DisabledPhase ? new ClosedPhase(p.rules, counters, now, 0, Cause.MANUAL) : null).state;
    }

    /**
     * Ends this breaker for good (its registry closed): from now on it admits nothing and answers
     * every call with {@code closedError} (2102), keeping the state it had. Idempotent.
     */
    void shutDown(InfraError closedError) {
        Rejection closedRejection = new Rejection(null, 0, closedError);
        long now = clock.nanoTime();
        while (true) {
            Phase p = current(now);
            if (p instanceof ShutdownPhase || transition(p, new ShutdownPhase(p, closedRejection))) {
                return;
            }
        }
    }

    private void requireOpenRegistry() {
        if (phase() instanceof ShutdownPhase shutDown) {
            throw shutDown.rejection.toException();
        }
    }

    /** Replaces the configuration and starts afresh (closed, empty history, counts zero), keeping a disable. */
    void reinstall(CircuitBreakerConfig config) {
        Rules rules = new Rules(config, clock);
        long now = clock.nanoTime();
        replace(now, p -> p instanceof DisabledPhase
                ? new DisabledPhase(rules, counters, now)
                : new ClosedPhase(rules, counters, now, 0, Cause.MANUAL));
        counters.restart();
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + phase().state.label() + "]";
    }

    // ---------------------------------------------------------------- admission

    private Phase phase() {
        return (Phase) PHASE.getVolatile(this);
    }

    /** The phase that admits the call, or a rejection. The closed path is one read and one test. */
    private Admission admit() {
        Phase p = phase();
        if (p instanceof ClosedPhase && p.rules.faultInjectionRate == 0.0) {
            return p;
        }
        return admitSlowly(p);
    }

    private Admission admitSlowly(Phase seen) {
        if (seen instanceof ShutdownPhase shutDown) {
            return shutDown.rejection; // counted nowhere, emitted nowhere: the breaker is closed for good
        }
        if (seen instanceof ClosedPhase) { // closed with fault injection on
            return seen.rules.injectFault() ? reject(seen, RejectionReason.FAULT_INJECTED, clock.nanoTime()) : seen;
        }
        long now = clock.nanoTime();
        if (seen instanceof OpenPhase open && now - open.until < 0) {
            return reject(open, RejectionReason.OPEN, now); // the common case of an open breaker
        }
        Phase p = current(now);
        if (p instanceof ClosedPhase) {
            return p.rules.faultInjectionRate > 0.0 && p.rules.injectFault()
                    ? reject(p, RejectionReason.FAULT_INJECTED, now) : p;
        }
        if (p instanceof HalfOpenPhase halfOpen) {
            return halfOpen.tryAcquire() ? halfOpen : reject(p, RejectionReason.HALF_OPEN_FULL, now);
        }
        return reject(p, p instanceof OpenPhase ? RejectionReason.OPEN : RejectionReason.DISABLED, now);
    }

    private Rejection reject(Phase p, RejectionReason reason, long now) {
        counters.rejected.increment();
        events.rejected(reason);
        return p.rejection(this, reason, now);
    }

    /** Builds the rejection of {@code p} for {@code reason}; called at most once per tick and phase. */
    Rejection newRejection(Phase p, RejectionReason reason, long now, long tick) {
        return new Rejection(reason, tick, errors.rejected(p, reason, now));
    }

    // ---------------------------------------------------------------- counting outcomes

    /**
     * Counts a returned value; returns an error only if the result predicate threw (5006, the permit
     * given back). A {@link VirtualMachineError} of the predicate is rethrown after the permit is given back.
     */
    InfraError countReturned(Phase p, boolean timed, long start, Object value, Map<String, ?> callerMetadata) {
        Rules rules = p.rules;
        boolean failed = false;
        if (rules.recordResults != null) {
            try {
                failed = rules.recordResults.test(value);
            } catch (VirtualMachineError fatal) {
                p.onIgnored();
                throw fatal;
            } catch (Throwable predicateFailed) {
                countIgnored(p);
                return errors.classificationFailed(predicateFailed);
            }
        }
        long now = timed || failed || p.successNeedsClock ? clock.nanoTime() : 0L;
        long duration = timed ? now - start : 0L;
        if (failed) {
            countFailure(p, now, duration);
        } else {
            countSuccess(p, now, duration);
        }
        if (timed) {
            events.executed(failed ? BreakerEvents.STATUS_FAILED : BreakerEvents.STATUS_SUCCESS,
                    failed ? Rules.Verdict.FAILURE : Rules.Verdict.SUCCESS, duration, callerMetadata);
        }
        return null;
    }

    /**
     * Counts a thrown exception and returns the error for the caller: 5003, 5012 for an
     * {@link Error}, interrupt or cancellation, 5006 when a classification predicate threw anything
     * (an {@link Error} included). A {@link VirtualMachineError}, the call's or the predicate's, is
     * rethrown after the permit is given back.
     */
    InfraError countThrown(Phase p, boolean timed, long start, Throwable thrown, Map<String, ?> callerMetadata) {
        if (thrown instanceof VirtualMachineError fatal) {
            p.onIgnored();
            throw fatal;
        }
        Rules.Verdict verdict;
        try {
            verdict = p.rules.classify(thrown);
        } catch (VirtualMachineError fatal) {
            p.onIgnored();
            throw fatal;
        } catch (Throwable predicateFailed) {
            countIgnored(p);
            return errors.classificationFailed(predicateFailed);
        }
        long now = clock.nanoTime();
        long duration = timed ? now - start : 0L;
        count(p, verdict, now, duration);
        if (thrown instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (timed) {
            events.executed(BreakerEvents.STATUS_EXCEPTION, verdict, duration, callerMetadata);
        }
        return errors.operationFailed(thrown, verdict);
    }

    /** 5012 for a throwable the breaker did not count (a {@link VirtualMachineError} of an async call). */
    InfraError uncountedOutcome(Throwable thrown) {
        return errors.operationFailed(thrown, Rules.Verdict.IGNORED);
    }

    private void count(Phase p, Rules.Verdict verdict, long now, long duration) {
        switch (verdict) {
            case SUCCESS -> countSuccess(p, now, duration);
            case FAILURE -> countFailure(p, now, duration);
            default -> countIgnored(p);
        }
    }

    private void countSuccess(Phase p, long now, long duration) {
        if (duration > p.rules.slowCallNanos) {
            counters.slowCalls.increment();
        }
        if (p.state != State.CLOSED) {
            current(now); // a trial that outlived its timeout finds the breaker re-opened at the deadline
        }
        Phase next = p.onSuccess(now, duration);
        if (next != null) {
            transition(p, next);
        }
    }

    private void countFailure(Phase p, long now, long duration) {
        counters.melts.increment();
        if (duration > p.rules.slowCallNanos) {
            counters.slowCalls.increment();
        }
        if (p.state != State.CLOSED) {
            current(now);
        }
        Phase next = p.onFailure(now, duration);
        if (next != null) {
            transition(p, next);
        }
    }

    void countIgnored(Phase p) {
        counters.ignored.increment();
        if (p.state != State.CLOSED) {
            current(clock.nanoTime()); // an ignored trial that outlived its timeout still timed out
        }
        p.onIgnored();
    }

    private static void requireDuration(long durationNanos) {
        if (durationNanos < 0) {
            throw new IllegalArgumentException("durationNanos must be >= 0, was " + durationNanos);
        }
    }

    // ---------------------------------------------------------------- transitions

    /** The current phase after applying the transitions whose time has come at {@code now}. */
    private Phase current(long now) {
        while (true) {
            Phase p = phase();
            Phase next = p.dueAt(now);
            if (next == null) {
                return p;
            }
            transition(p, next);
        }
    }

    /**
     * Moves to the phase {@code change} derives from the current one (null: stay); returns the phase
     * in force. The transitions due at {@code now} are applied first, so that a manual change leaves
     * the same history whether or not anyone looked at the breaker before.
     */
    private Phase replace(long now, UnaryOperator<Phase> change) {
        while (true) {
            Phase p = current(now);
            if (p instanceof ShutdownPhase) {
                return p; // closed for good
            }
            Phase next = change.apply(p);
            if (next == null) {
                return p;
            }
            if (transition(p, next)) {
                return next;
            }
        }
    }

    private boolean transition(Phase from, Phase to) {
        // numbered at the CAS: only the winner's phase is published with this number, and the next
        // transition starts from it, so the numbers follow the one true chain of phases
        to.sequence = from.state != to.state ? from.sequence + 1 : from.sequence;
        if (!PHASE.compareAndSet(this, from, to)) {
            return false;
        }
        events.transitioned(from, to);
        return true;
    }

    /** The count window of the failure-rate rule of the current closed phase (tests of the tally invariant). */
    CallWindow failureRateWindow() {
        Phase p = phase();
        return p instanceof ClosedPhase closed ? closed.window(p.rules.rule(false)) : null;
    }
}
