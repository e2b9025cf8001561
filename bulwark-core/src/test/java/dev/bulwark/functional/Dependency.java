package dev.bulwark.functional;

import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted remote dependency on a manual clock: each call plays the next step of its script
 * (the last step repeats). A slow step takes its time on the clock: the synchronous form advances
 * the clock a millisecond at a time and stops when interrupted (as a well-behaved blocking client
 * does), the asynchronous form completes when the clock is advanced past its duration.
 */
final class Dependency {

    /** One call's behaviour. */
    record Step(Duration latency, String value, Exception failure) {
        static Step ok(String value) {
            return new Step(Duration.ZERO, value, null);
        }

        static Step fail() {
            return new Step(Duration.ZERO, null, new IOException("connection reset"));
        }

        static Step fail(Exception e) {
            return new Step(Duration.ZERO, null, e);
        }

        static Step slow(Duration latency, String value) {
            return new Step(latency, value, null);
        }
    }

    private final ManualClock clock;
    private final List<Step> script;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<Duration> callTimes = java.util.Collections.synchronizedList(new ArrayList<>());

    Dependency(ManualClock clock, Step... script) {
        this.clock = clock;
        this.script = List.of(script);
    }

    /** How many times the dependency was called. */
    int calls() {
        return calls.get();
    }

    /** When each call started, on the clock. */
    List<Duration> callTimes() {
        return List.copyOf(callTimes);
    }

    private Step next() {
        callTimes.add(clock.elapsed());
        int n = calls.getAndIncrement();
        return script.get(Math.min(n, script.size() - 1));
    }

    String sync() throws Exception {
        Step step = next();
        long end = clock.elapsed().plus(step.latency()).toNanos();
        long left;
        while ((left = end - clock.elapsed().toNanos()) > 0) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted while the dependency was working");
            }
            clock.advanceNanos(Math.min(left, 1_000_000L));
        }
        if (step.failure() != null) {
            throw step.failure();
        }
        return step.value();
    }

    CompletionStage<String> async() {
        Step step = next();
        CompletableFuture<String> reply = new CompletableFuture<>();
        Runnable answer = () -> {
            if (step.failure() != null) {
                reply.completeExceptionally(step.failure());
            } else {
                reply.complete(step.value());
            }
        };
        if (step.latency().isZero()) {
            answer.run();
        } else {
            clock.schedule(step.latency().toNanos(), answer);
        }
        return reply;
    }
}
