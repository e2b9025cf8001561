package dev.bulwark.pipeline;

import dev.bulwark.time.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A remote dependency on a {@link ManualClock}: call number n (from 0) takes {@code latency(n)}
 * nanoseconds of clock time and then answers "r" + n, or fails when {@code failing(n)}.
 *
 * <ul>
 *   <li>{@link #async()} returns a future completed by a task on the clock at the call's end; a
 *       cancelled future is recorded, and its end comes and goes without effect;</li>
 *   <li>{@link #sync()} blocks its thread until the clock reaches the call's end (a latch released
 *       by a clock task), so the test thread drives time while attempts wait on pool threads; an
 *       interrupt ends the wait with {@link InterruptedException} and is recorded.</li>
 * </ul>
 */
final class ClockedDependency {

    private final ManualClock clock;
    private final IntFunction<Long> latencyNanos;
    private final IntFunction<Boolean> failing;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    private final AtomicInteger lateAnswers = new AtomicInteger();
    private final List<Long> startTimes = java.util.Collections.synchronizedList(new ArrayList<>());

    ClockedDependency(ManualClock clock, IntFunction<Long> latencyNanos, IntFunction<Boolean> failing) {
        this.clock = clock;
        this.latencyNanos = latencyNanos;
        this.failing = failing;
    }

    ClockedDependency(ManualClock clock, IntFunction<Long> latencyNanos) {
        this(clock, latencyNanos, n -> false);
    }

    int calls() {
        return calls.get();
    }

    /** Synchronous calls blocked on the clock now. */
    int waiting() {
        return waiting.get();
    }

    int cancelled() {
        return cancelled.get();
    }

    int interrupted() {
        return interrupted.get();
    }

    /** Answers whose future had already been cancelled (they had no effect). */
    int lateAnswers() {
        return lateAnswers.get();
    }

    /** When each call started, in clock nanoseconds since the clock's creation. */
    List<Long> startTimes() {
        synchronized (startTimes) {
            return List.copyOf(startTimes);
        }
    }

    CompletionStage<String> async() {
        int n = calls.getAndIncrement();
        startTimes.add(clock.elapsed().toNanos());
        CompletableFuture<String> reply = new CompletableFuture<>();
        reply.whenComplete((v, t) -> {
            if (reply.isCancelled()) {
                cancelled.incrementAndGet();
            }
        });
        clock.schedule(latencyNanos.apply(n), () -> {
            if (reply.isDone()) {
                lateAnswers.incrementAndGet();
            } else if (failing.apply(n)) {
                reply.completeExceptionally(new java.io.IOException("failure of call " + n));
            } else {
                reply.complete("r" + n);
            }
        });
        return reply;
    }

    String sync() throws Exception {
        int n = calls.getAndIncrement();
        startTimes.add(clock.elapsed().toNanos());
        CountDownLatch end = new CountDownLatch(1);
        clock.schedule(latencyNanos.apply(n), end::countDown);
        waiting.incrementAndGet();
        try {
            end.await();
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
        } finally {
            waiting.decrementAndGet();
        }
        if (failing.apply(n)) {
            throw new java.io.IOException("failure of call " + n);
        }
        return "r" + n;
    }
}
