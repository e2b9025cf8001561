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
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 * <p><b>Lanes.</b> Requests queue in lanes, each with its own queue and in-flight budget, and a
 * batch only ever holds requests of one lane. On a single node there is one lane, and a batch may
 * mix any keys. On a Redis Cluster ({@code perSlot}) there is one lane per hash slot, created when
 * first used, so every key of one script call hashes to one slot, as Redis requires of a script
 * (and as routing it to one node needs). If the slot is being migrated and Redis answers a batch
 * with {@code TRYAGAIN} (some of its keys have moved, others not yet), each of its requests is sent
 * again alone: a single-key call is always served, by the source or, after {@code ASK}, by the
 * target.
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

    /** The one lane of a single node; null per slot. */
    private final Lane single;
    /** The lanes of a cluster, by hash slot, created when first used; null on a single node. */
    private final AtomicReferenceArray<Lane> bySlot;
    private volatile boolean closed;

    private final LongAdder calls = new LongAdder();
    private final LongAdder batchedRequests = new LongAdder();
    private final LongAdder retriedAlone = new LongAdder();

    /** One request waiting for its reply: the single-decision script's reply or a handover. */
    private final class Request extends CompletableFuture<List<Object>> {
        final String key;
        final String[] args;
        final long enqueuedNanos;
        final Lane lane;
        /** The batch that carries this request, once sent; guarded by its lane's monitor. */
        Batch batch;

        Request(String key, String[] args, long enqueuedNanos, Lane lane) {
            this.key = key;
            this.args = args;
            this.enqueuedNanos = enqueuedNanos;
            this.lane = lane;
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
                synchronized (lane) {
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
        final Lane lane;
        final List<Request> requests;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicInteger pending;

        Batch(Lane lane, List<Request> requests) {
            this.lane = lane;
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
            Batch next = lane.nextOrRelease();
            deliver(requests, reply, failure);
            return next;
        }
    }

    /**
     * One queue of requests and its budget of batches in flight; its monitor guards its state and
     * the {@code batch} field of its requests.
     */
    private final class Lane {
        private final ArrayDeque<Request> queue = new ArrayDeque<>();
        private int inFlight;

        /** Queues {@code request}; returns the batch the caller must send now, or null. */
        synchronized Batch add(Request request, long now) {
            if (closed) {   // read under the lock: close() sets it before it empties the lanes
                request.completeExceptionally(new RedisException("the Redis limit store is closed"));
                return null;
            }
            queue.add(request);
            if (inFlight < maxInFlight || overdue(now)) {
                Batch batch = drain();
                if (batch != null) {
                    inFlight++;
                }
                return batch;
            }
            return null;
        }

        /**
         * Whether the oldest queued request has waited a quarter of its timeout for a free slot: then
         * a batch goes out beyond {@code maxInFlight}, so that when Redis is slow relative to the
         * timeout, queueing behind the calls in flight does not use up the requests' time.
         */
        private boolean overdue(long now) {
            Request oldest = queue.peek();
            return oldest != null && now - oldest.enqueuedNanos > timeoutNanos / 4;
        }

        /** The next batch from the queue, skipping requests already completed (timed out); null if none. */
        private Batch drain() {
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
            Batch batch = new Batch(this, taken);
            for (Request r : taken) {
                r.batch = batch;
            }
            return batch;
        }

        /** A finished batch hands its slot to the next batch of this lane, or frees it. */
        synchronized Batch nextOrRelease() {
            Batch next = drain();
            if (next == null) {
                inFlight--;
            }
            return next;
        }

        /** Empties the queue (closing). */
        synchronized List<Request> clear() {
            List<Request> abandoned = new ArrayList<>(queue);
            queue.clear();
            return abandoned;
        }
    }

    /**
     * @param maxInFlight  how many batches may be on their way to Redis at once (at least 1)
     * @param maxBatchSize the most requests in one batch (at least 1)
     */
    public DecisionBatcher(ScriptExecutor redis, int maxInFlight, int maxBatchSize, Duration commandTimeout) {
        this(redis::send, maxInFlight, maxBatchSize, commandTimeout, System::nanoTime, redis.isCluster());
    }

    /** A batcher with one lane that sends its calls through {@code sender} (tests drive the replies by hand). */
    public DecisionBatcher(Sender sender, int maxInFlight, int maxBatchSize, Duration commandTimeout) {
        this(sender, maxInFlight, maxBatchSize, commandTimeout, System::nanoTime, false);
    }

    /** As above, with one lane per hash slot when {@code perSlot} (a Redis Cluster). */
    public DecisionBatcher(Sender sender, int maxInFlight, int maxBatchSize, Duration commandTimeout, boolean perSlot) {
        this(sender, maxInFlight, maxBatchSize, commandTimeout, System::nanoTime, perSlot);
    }

    /** As above, reading how long requests have queued from {@code nanoTime} (tests move it by hand). */
    DecisionBatcher(Sender sender, int maxInFlight, int maxBatchSize, Duration commandTimeout, LongSupplier nanoTime) {
        this(sender, maxInFlight, maxBatchSize, commandTimeout, nanoTime, false);
    }

    private DecisionBatcher(Sender sender, int maxInFlight, int maxBatchSize, Duration commandTimeout,
                            LongSupplier nanoTime, boolean perSlot) {
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
        this.single = perSlot ? null : new Lane();
        this.bySlot = perSlot ? new AtomicReferenceArray<>(SLOTS) : null;
    }

    private static final int SLOTS = 16384;

    /** The lane of {@code key}: the only one, or its hash slot's. */
    private Lane laneOf(String key) {
        if (single != null) {
            return single;
        }
        int slot = ScriptExecutor.slot(key);
        Lane lane = bySlot.get(slot);
        if (lane == null) {
            Lane fresh = new Lane();
            lane = bySlot.compareAndExchange(slot, null, fresh);
            if (lane == null) {
                lane = fresh;
            }
        }
        return lane;
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
        Request request = new Request(key, args, now, laneOf(key));
        if (closed) {
            request.completeExceptionally(new RedisException("the Redis limit store is closed"));
            return request;
        }
        Batch batch = request.lane.add(request, now);
        if (batch != null) {
            send(batch);
        }
        return request;
    }

    /**
     * Fails every queued request at once (the store is closing); requests in flight complete with
     * their call. Later submissions fail at once.
     */
    public void close() {
        closed = true;
        List<Request> abandoned = new ArrayList<>();
        if (single != null) {
            abandoned.addAll(single.clear());
        } else {
            for (int slot = 0; slot < SLOTS; slot++) {
                Lane lane = bySlot.get(slot);
                if (lane != null) {
                    abandoned.addAll(lane.clear());
                }
            }
        }
        RedisException failure = new RedisException("the Redis limit store is closed");
        for (Request r : abandoned) {
            r.completeExceptionally(failure);
        }
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

    private void deliver(List<Request> batch, List<Object> reply, Throwable failure) {
        if (failure != null) {
            Throwable cause = ScriptExecutor.unwrap(failure);
            if (batch.size() > 1 && isTryAgain(cause) && !closed) {
                resendAlone(batch);
                return;
            }
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

    /**
     * Whether Redis refused a multi-key call because its slot is being migrated and only some of
     * its keys have moved ({@code -TRYAGAIN}).
     */
    static boolean isTryAgain(Throwable failure) {
        return failure instanceof RedisCommandExecutionException
                && failure.getMessage() != null && failure.getMessage().startsWith("TRYAGAIN");
    }

    /**
     * Sends each request of a batch refused with {@code TRYAGAIN} again, alone (one key, so Redis
     * always serves it: the source if the key is still there, else the target after {@code ASK}).
     * Each still completes within its own timeout.
     */
    private void resendAlone(List<Request> batch) {
        retriedAlone.add(batch.size());
        for (Request r : batch) {
            if (r.isDone()) {
                continue;
            }
            CompletableFuture<List<Object>> alone;
            try {
                alone = sender.send(LimitScriptProtocol.FAST, new String[] {r.key}, r.args);
            } catch (RuntimeException e) {
                alone = CompletableFuture.failedFuture(e);
            }
            alone.whenComplete((one, f) -> {
                if (f != null) {
                    r.completeExceptionally(ScriptExecutor.unwrap(f));
                } else {
                    r.complete(one);
                }
            });
        }
    }

    /** How many requests were sent again alone after their batch met a slot in migration. */
    public long retriedAlone() {
        return retriedAlone.sum();
    }

    @Override
    public String toString() {
        return "DecisionBatcher[maxInFlight=" + maxInFlight + ", maxBatchSize=" + maxBatchSize
                + (single == null ? ", lane per slot" : "") + "]";
    }
}
