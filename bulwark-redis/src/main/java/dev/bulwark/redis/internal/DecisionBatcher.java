package dev.bulwark.redis.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

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
 * timeout, malformed reply): every request in it completes exceptionally with that failure; an
 * error raised while deciding one request (say a key that is not a hash) fails that request alone.
 *
 * <p><b>Time bound.</b> Each request's future completes within the command timeout counted from its
 * submission ({@link #await} waits on the caller's thread, {@link #submit} uses
 * {@link CompletableFuture#orTimeout}). A request that timed out before its batch was sent is
 * dropped from the queue and never reaches Redis; one that gives up in flight (timeout, interrupt)
 * fails alone, and the others of its batch still get Redis's reply. A batch all of whose requests
 * gave up frees its in-flight slot, so a Redis that never answers cannot hold the slots, and no timer
 * task is needed per call. When the oldest queued request has waited a quarter of the timeout for a
 * slot, a batch goes out beyond {@code maxInFlight}. (Redis may still run an abandoned call, as with
 * any command abandoned on timeout.)
 *
 * <p><b>Redis Cluster.</b> A batch may mix any keys, which a single node accepts. On a cluster a
 * script's keys must share one hash slot: a cluster-aware version would keep one queue (and its
 * in-flight budget) per slot, or per node with batches split by slot.
 *
 * <p>Thread-safe.
 */
public final class DecisionBatcher {

    /** Sends one script call; {@link ScriptExecutor#send} in production. */
    @FunctionalInterface
    public interface Sender {
        CompletableFuture<List<Object>> send(LuaScript script, String[] keys, String[] args);
    }

    private final Sender sender;
    private final LongSupplier nanoTime;
    private final int maxInFlight;
    private final int maxBatchSize;
    private final long timeoutNanos;

    private final Object lock = new Object();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean closed;

    private final LongAdder calls = new LongAdder();
    private final LongAdder batchedRequests = new LongAdder();

    /** One request waiting for its reply: the single-decision script's reply or a handover. */
    private final class Request extends CompletableFuture<List<Object>> {
        final String key;
        final String[] args;
        final long enqueuedNanos;
        /** The batch that carries this request, once sent; guarded by {@link #lock}. */
        Batch batch;

        Request(String key, String[] args, long enqueuedNanos) {
            this.key = key;
            this.args = args;
            this.enqueuedNanos = enqueuedNanos;
        }

        /**
         * A request that gives up (timeout, interrupt) leaves its batch and fails alone; the others
         * keep waiting for Redis's reply. See {@link Batch#requestLeft}.
         */
        @Override
        public boolean completeExceptionally(Throwable ex) {
            boolean first = super.completeExceptionally(ex);
            if (first) {
                Batch carrier;
                synchronized (lock) {
                    carrier = batch;
                }
                if (carrier != null) {
                    carrier.requestLeft();
                }
            }
            return first;
        }
    }

    /**
     * One script call and its requests. It finishes once: with Redis's reply or failure, or when
     * every one of its requests has given up (each does within the command timeout of its
     * submission), so no batch holds an in-flight slot longer than its requests wait for it, even
     * when Redis never answers, and no timer task is needed per call.
     */
    private final class Batch {
        final List<Request> requests;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicInteger pending;

        Batch(List<Request> requests) {
            this.requests = requests;
            this.pending = new AtomicInteger(requests.size());
        }

        boolean isFinished() {
            return finished.get();
        }

        void requestLeft() {
            if (pending.decrementAndGet() == 0) {
                Batch next = finish(null, new RedisCommandTimeoutException(
                        "no reply from Redis within " + Duration.ofNanos(timeoutNanos)));
                if (next != null) {
                    send(next);
                }
            }
        }

        /**
         * Finishes the batch (once): releases its slot or hands it to the next batch, which it
         * returns for the caller to send, then completes its requests.
         */
        Batch finish(List<Object> reply, Throwable failure) {
            if (!finished.compareAndSet(false, true)) {
                return null;
            }
            Batch next = nextOrRelease();
            deliver(requests, reply, failure);
            return next;
        }
    }

    /**
     * @param maxInFlight  how many batches may be on their way to Redis at once (at least 1)
     * @param maxBatchSize the most requests in one batch (at least 1)
     */
    public DecisionBatcher(ScriptExecutor redis, int maxInFlight, int maxBatchSize, Duration commandTimeout) {
        this(redis::send, maxInFlight, maxBatchSize, commandTimeout);
    }

    /** A batcher that sends its calls through {@code sender} (tests drive the replies by hand). */
    public DecisionBatcher(Sender sender, int maxInFlight, int maxBatchSize, Duration commandTimeout) {
        this(sender, maxInFlight, maxBatchSize, commandTimeout, System::nanoTime);
    }

    /** As above, reading how long requests have queued from {@code nanoTime} (tests move it by hand). */
    DecisionBatcher(Sender sender, int maxInFlight, int maxBatchSize, Duration commandTimeout, LongSupplier nanoTime) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
        }
        this.sender = sender;
        this.nanoTime = nanoTime;
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
        Request request = enqueue(key, args);
        try {
            return request.get(timeoutNanos - (nanoTime.getAsLong() - request.enqueuedNanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = ScriptExecutor.unwrap(e.getCause());
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new RedisException(cause);
        } catch (TimeoutException e) {
            if (request.completeExceptionally(e)) {
                throw new RedisCommandTimeoutException("no reply from Redis within " + Duration.ofNanos(timeoutNanos));
            }
            return done(request);  // the reply came in between
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.completeExceptionally(e);
            throw new RedisException("interrupted while waiting for Redis", e);
        }
    }

    private static List<Object> done(Request request) {
        try {
            return request.join();
        } catch (CompletionException e) {
            Throwable cause = ScriptExecutor.unwrap(e);
            throw cause instanceof RuntimeException re ? re : new RedisException(cause);
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
        long now = nanoTime.getAsLong();
        Request request = new Request(key, args, now);
        Batch batch = null;
        synchronized (lock) {
            if (closed) {
                request.completeExceptionally(new RedisException("the Redis limit store is closed"));
                return request;
            }
            queue.add(request);
            if (inFlight < maxInFlight || overdueLocked(now)) {
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

    /**
     * Whether the oldest queued request has waited a quarter of its timeout for a free slot: then
     * a batch goes out beyond {@code maxInFlight}, so that when Redis is slow relative to the
     * timeout, queueing behind the calls in flight does not use up the requests' time.
     */
    private boolean overdueLocked(long now) {
        Request oldest = queue.peek();
        return oldest != null && now - oldest.enqueuedNanos > timeoutNanos / 4;
    }

    /**
     * Fails every queued request at once (the store is closing); requests in flight complete with
     * their call. Later submissions fail at once.
     */
    public void close() {
        List<Request> abandoned;
        synchronized (lock) {
            closed = true;
            abandoned = new ArrayList<>(queue);
            queue.clear();
        }
        RedisException failure = new RedisException("the Redis limit store is closed");
        for (Request r : abandoned) {
            r.completeExceptionally(failure);
        }
    }

    /** The next batch from the queue, skipping requests already completed (timed out); null if none. */
    private Batch drainLocked() {
        List<Request> taken = null;
        while (!queue.isEmpty() && (taken == null || taken.size() < maxBatchSize)) {
            Request r = queue.poll();
            if (r.isDone()) {
                continue;
            }
            if (taken == null) {
                taken = new ArrayList<>(Math.min(queue.size() + 1, maxBatchSize));
            }
            taken.add(r);
        }
        if (taken == null) {
            return null;
        }
        Batch batch = new Batch(taken);
        for (Request r : taken) {
            r.batch = batch;
        }
        return batch;
    }

    /**
     * Sends a batch, and the batches its completion hands on. A call whose reply is already there
     * (a call that fails at once, e.g. while disconnected or closed) is finished in this loop rather
     * than in a callback, so a long queue of failing calls never deepens the stack. Otherwise its
     * completion (on the connection's event loop) sends the next batch before completing this one's
     * requests, so that Redis gets its next call as early as possible.
     */
    private void send(Batch first) {
        Batch batch = first;
        while (batch != null) {
            if (batch.isFinished()) {
                return;   // all its requests gave up before it went out; finishing handed its slot on
            }
            calls.increment();
            batchedRequests.add(batch.requests.size());
            CompletableFuture<List<Object>> reply;
            try {
                reply = call(batch.requests);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            if (!reply.isDone()) {
                Batch sent = batch;
                reply.whenComplete((r, failure) -> send(sent.finish(r, failure)));
                return;
            }
            batch = finishNow(batch, reply);
        }
    }

    private static Batch finishNow(Batch batch, CompletableFuture<List<Object>> reply) {
        try {
            return batch.finish(reply.join(), null);
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return batch.finish(null, e);
        }
    }

    private CompletableFuture<List<Object>> call(List<Request> batch) {
        if (batch.size() == 1) {
            Request only = batch.get(0);
            return sender.send(LimitScriptProtocol.FAST, new String[] {only.key}, only.args);
        }
        String[] keys = new String[batch.size()];
        List<String[]> args = new ArrayList<>(batch.size());
        for (int i = 0; i < keys.length; i++) {
            keys[i] = batch.get(i).key;
            args.add(batch.get(i).args);
        }
        return sender.send(LimitScriptProtocol.BATCH, keys, LimitScriptProtocol.batchArgs(args));
    }

    private Batch nextOrRelease() {
        synchronized (lock) {
            Batch next = drainLocked();
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
            List<Object> one = replies.get(i);
            if (LimitScriptProtocol.isBatchError(one)) {
                batch.get(i).completeExceptionally(new RedisCommandExecutionException(String.valueOf(one.get(1))));
            } else {
                batch.get(i).complete(one);
            }
        }
    }

    @Override
    public String toString() {
        return "DecisionBatcher[maxInFlight=" + maxInFlight + ", maxBatchSize=" + maxBatchSize + "]";
    }
}
