package dev.bulwark.functional;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.time.ManualClock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The two ways of running a protected call. Every scenario runs through both and must end the
 * same way.
 *
 * <ul>
 *   <li>SYNC: {@code executeProtected} on the test thread; timeouts hand the call to a pool of
 *       threads and the call moves the clock itself;</li>
 *   <li>ASYNC: {@code executeProtectedAsync} with a direct executor; the test advances the clock
 *       from one scheduled task to the next until the result is there, so everything happens on
 *       the test thread in a reproducible order.</li>
 * </ul>
 */
enum Mode {
    SYNC, ASYNC;

    Infrastructure infrastructure(ManualClock clock, ExecutorService pool) {
        Infrastructure.Builder b = Infrastructure.builder().clock(clock);
        return (this == SYNC ? b.executor(pool) : b.executor(Runnable::run)).build();
    }

    Result<String> run(Infrastructure infra, ManualClock clock, Protection protection, String entityId, Dependency dependency) {
        if (this == SYNC) {
            return infra.executeProtected(protection, entityId, dependency::sync);
        }
        return drive(clock, infra.executeProtectedAsync(protection, entityId, dependency::async).toCompletableFuture());
    }

    Result<String> run(Infrastructure infra, ManualClock clock, String key, String entityId, Dependency dependency) {
        if (this == SYNC) {
            return infra.executeProtected(key, entityId, dependency::sync);
        }
        return drive(clock, infra.executeProtectedAsync(key, entityId, dependency::async).toCompletableFuture());
    }

    private static Result<String> drive(ManualClock clock, CompletableFuture<Result<String>> result) {
        for (int step = 0; step < 10_000 && !result.isDone(); step++) {
            if (!clock.advanceToNextTask()) {
                break;
            }
        }
        if (!result.isDone()) {
            throw new AssertionError("the asynchronous call did not complete and nothing is scheduled on the clock");
        }
        return result.join();
    }
}
