package dev.bulwark.redis.internal;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Coalesces concurrent fast-script decisions into one {@code EVALSHA} ("smart batching"): a
 * request joins a queue; while fewer than {@code maxInFlight} batches are on their way to Redis,
 * the submitting thread sends everything queued (up to {@code maxBatchSize} requests) as one call
 * of {@link LimitScriptProtocol#BATCH}; otherwise it just waits, and the thread that completes a
 * batch sends the next one from the queue. A lone request is sent at once, as one call of
 * {@link LimitScriptProtocol#FAST}, so without concurrency nothing waits and nothing changes;
 * under concurrency one round trip, one {@code TIME} and one script call decide many requests.
 *
 * <p><b>Guarantees.</b> The script decides a batch's requests one after the other inside one atomic
 * call, each exactly as the single-decision script would, so every request is still decided
 * atomically against the state left by the ones before it. A batch fails as a whole (connection,
 * timeout, error reply, malformed reply): every request in it completes exceptionally with that
 * failure. Each request's future completes within the command timeout counted from its submission
 * ({@link #await} on the caller's thread, or {@link CompletableFuture#orTimeout} for
 * {@link #submit}); a request that timed out before its batch was sent is dropped from the queue and
 * never reaches Redis. (One whose batch was already sent may still be recorded by Redis, as with any
 * command abandoned on timeout.)
 *
 * <p><b>Redis Cluster.</b> A batch may mix any keys, which a single node accepts. On a cluster a
 * script's keys must share one hash slot: a cluster-aware version would keep one queue (and its
 * in-flight budget) per slot, or per node with batches split by slot.
 *
 * <p>Thread-safe.
 */
public final class DecisionBatcher {

    private final ScriptExecutor redis;
    private final int maxInFlight;
    private final int maxBatchSize;
    private final long timeoutNanos;

    private final Object lock = new Object();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private int inFlight;

    private final LongAdder calls = new LongAdder();
    private final LongAdder batchedRequests = new LongAdder();

    /** One request waiting for its reply: the single-decision script's reply or a handover. */
    private static final class Request extends CompletableFuture<List<Object>> {
        final String key;
        final String[] args;

        Request(String key, String[] args) {
            this.key = key;
            this.args = args;
        }
    }

    /**
     * @param maxInFlight  how many batches may be on their way to Redis at once (at least 1)
     * @param maxBatchSize the most requests in one batch (at least 1)
     */
    public DecisionBatcher(ScriptExecutor redis, int maxInFlight, int maxBatchSize, Duration commandTimeout) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
        }
        this.redis = redis;
        this.maxInFlight = maxInFlight;
        this.maxBatchSize = maxBatchSize;
        this.timeoutNanos = commandTimeout.toNanos();
    }

    /**
     * Queues a decision ({@link LimitScriptProtocol#decisionArgs}) and returns its reply: the
     * decision or a handover ({@link LimitScriptProtocol#isHandover}); the future completes
     * exceptionally on failure, and with a {@link TimeoutException} after the command timeout.
     */
    public CompletableFuture<List<Object>> submit(String key, String[] args) {
        Request request = enqueue(key, args);
        request.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS);
        return request;
    }

    /**
     * {@link #submit}, awaited on the calling thread for at most the command timeout.
     *
     * @throws RuntimeException the failure: a Lettuce {@code RedisException} (connection, script
     *                          error), a {@link RedisCommandTimeoutException}, or an
     *                          {@link IllegalStateException} for a malformed reply
     */
    public List<Object> await(String key, String[] args) {
        long start = System.nanoTime();
        Request request = enqueue(key, args);
        try {
            return request.get(timeoutNanos - (System.nanoTime() - start), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = ScriptExecutor.unwrap(e.getCause());
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new RedisException(cause);
        } catch (TimeoutException e) {
            request.completeExceptionally(e);
            throw new RedisCommandTimeoutException("no reply from Redis within " + Duration.ofNanos(timeoutNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.completeExceptionally(e);
            throw new RedisException("interrupted while waiting for Redis", e);
        }
    }

    /** How many script calls the batcher has made. */
    public long calls() {
        return calls.sum();
    }

    /** How many requests those calls decided (or failed) in total. */
    public long batchedRequests() {
        return batchedRequests.sum();
    }

    private Request enqueue(String key, String[] args) {
        Request request = new Request(key, args);
        List<Request> batch = null;
        synchronized (lock) {
            queue.add(request);
            if (inFlight < maxInFlight) {
                batch = drainLocked();
                if (batch != null) {
                    inFlight++;
                }
            }
        }
        if (batch != null) {
            send(batch);
        }
        return request;
    }

    /** The next batch from the queue, skipping requests already completed (timed out); null if none. */
    private List<Request> drainLocked() {
        List<Request> batch = null;
        while (!queue.isEmpty() && (batch == null || batch.size() < maxBatchSize)) {
            Request r = queue.poll();
            if (r.isDone()) {
                continue;
            }
            if (batch == null) {
                batch = new ArrayList<>(Math.min(queue.size() + 1, maxBatchSize));
            }
            batch.add(r);
        }
        return batch;
    }

    private void send(List<Request> batch) {
        // Sending and completing a batch can run on the caller's thread (a failure known at once) or
        // on the connection's event loop; either way the next batch is sent before this one's
        // requests are completed, so that Redis gets its next call as early as possible.
        while (batch != null) {
            List<Request> current = batch;
            calls.increment();
            batchedRequests.add(current.size());
            CompletableFuture<List<Object>> reply;
            try {
                reply = call(current);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            if (!reply.isDone()) {
                reply.whenComplete((r, failure) -> {
                    List<Request> next = nextOrRelease();
                    if (next != null) {
                        send(next);
                    }
                    deliver(current, r, failure);
                });
                return;
            }
            // Completed already (typically: rejected while disconnected): loop rather than recurse.
            batch = nextOrRelease();
            List<Object> r = null;
            Throwable failure = null;
            try {
                r = reply.join();
            } catch (RuntimeException e) {
                failure = e;
            }
            deliver(current, r, failure);
        }
    }

    private CompletableFuture<List<Object>> call(List<Request> batch) {
        if (batch.size() == 1) {
            Request only = batch.get(0);
            return redis.run(LimitScriptProtocol.FAST, only.key, only.args);
        }
        String[] keys = new String[batch.size()];
        List<String[]> args = new ArrayList<>(batch.size());
        for (int i = 0; i < keys.length; i++) {
            keys[i] = batch.get(i).key;
            args.add(batch.get(i).args);
        }
        return redis.run(LimitScriptProtocol.BATCH, keys, LimitScriptProtocol.batchArgs(args));
    }

    private List<Request> nextOrRelease() {
        synchronized (lock) {
            List<Request> next = drainLocked();
            if (next == null) {
                inFlight--;
            }
            return next;
        }
    }

    private static void deliver(List<Request> batch, List<Object> reply, Throwable failure) {
        if (failure != null) {
            Throwable cause = ScriptExecutor.unwrap(failure);
            for (Request r : batch) {
                r.completeExceptionally(cause);
            }
            return;
        }
        if (batch.size() == 1) {
            batch.get(0).complete(reply);
            return;
        }
        List<List<Object>> replies;
        try {
            replies = LimitScriptProtocol.splitBatchReply(reply, batch.size());
        } catch (RuntimeException bad) {
            for (Request r : batch) {
                r.completeExceptionally(bad);
            }
            return;
        }
        for (int i = 0; i < replies.size(); i++) {
            batch.get(i).complete(replies.get(i));
        }
    }

    @Override
    public String toString() {
        return "DecisionBatcher[maxInFlight=" + maxInFlight + ", maxBatchSize=" + maxBatchSize + "]";
    }
}
