package dev.bulwark.redis.internal;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs Lua scripts on one multiplexed Lettuce connection, to one Redis server
 * ({@link #singleNode}) or a Redis Cluster ({@link #cluster}): {@code EVALSHA}, falling back to
 * {@code EVAL} (which also caches the script on the server) when Redis answers {@code NOSCRIPT},
 * for instance after a restart, a failover or {@code SCRIPT FLUSH}.
 *
 * <p><b>Connection.</b> The connection is opened lazily and in the background, so that building a
 * store never fails or blocks because Redis is down. Once open, Lettuce reconnects it by itself
 * (with a delay capped at one second) and rejects commands while it is disconnected, so a call never
 * queues behind an outage. If opening fails, the next call after {@link #CONNECT_RETRY_NANOS}
 * starts a new attempt; calls in between fail at once.
 *
 * <p><b>Redis Cluster.</b> Lettuce's cluster client routes each call by the slot of its first key
 * to the master serving that slot, over one connection per node, and follows {@code MOVED} and
 * {@code ASK} redirections (at most five per call). The caller must make every key of one call hash
 * to one slot. {@code NOSCRIPT} is answered per node: the {@code EVAL} that follows goes to the same
 * slot, hence to the node that lacked the script. The topology is refreshed periodically, on every
 * adaptive trigger (redirections, persistent reconnects, uncovered slots, unknown nodes; at most one
 * refresh per second) and on {@link #refreshTopology()}.
 *
 * <p><b>Time bound.</b> Every call completes within the command timeout: {@link #runSync} waits no
 * longer (a timed wait on the caller's thread, no timer task), and the future of {@link #run} times
 * out by itself. Lettuce's own per-command timeouts are off: they would schedule and cancel a timer
 * task for every command. A command abandoned on timeout is cancelled; while Redis hangs, such
 * commands are bounded by the request queue and dropped when the connection is closed.
 *
 * <p>Thread-safe.
 */
public final class ScriptExecutor implements AutoCloseable {

    static final long CONNECT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The least time between two topology refreshes asked for by {@link #refreshTopology()}. */
    static final long REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final RedisTarget target;
    private final ClientResources ownedResources;
    private final Duration commandTimeout;

    private final Object connectLock = new Object();
    private volatile CompletableFuture<StatefulConnection<String, String>> connection;
    private volatile RedisScriptingAsyncCommands<String, String> commands;
    /** Fixed at construction: whether this executor talks to a Redis Cluster. */
    private final boolean cluster;
    private long lastAttemptNanos;
    private final List<StatefulRedisPubSubConnection<String, String>> pubSubConnections = new ArrayList<>();
    private final AtomicLong lastRefreshNanos = new AtomicLong(System.nanoTime() - REFRESH_INTERVAL_NANOS);
    private volatile boolean closed;

    private ScriptExecutor(Function<ClientResources, RedisTarget> target, ClientResources resources, Duration commandTimeout) {
        this.commandTimeout = commandTimeout;
        this.ownedResources = resources == null ? ownResources() : null;
        this.target = target.apply(resources != null ? resources : ownedResources);
        this.cluster = this.target.isCluster();
    }

    /**
     * @param resources shared Lettuce resources, or null to create (and later shut down) our own
     */
    public ScriptExecutor(RedisURI uri, ClientResources resources, Duration connectTimeout, Duration commandTimeout) {
        this(r -> new SingleNodeTarget(uri, r, connectTimeout), resources, commandTimeout);
    }

    /** Scripts on one Redis server. */
    public static ScriptExecutor singleNode(RedisURI uri, ClientResources resources, Duration connectTimeout,
                                            Duration commandTimeout) {
        return new ScriptExecutor(uri, resources, connectTimeout, commandTimeout);
    }

    /**
     * Scripts on a Redis Cluster reached through {@code seeds} (any of its nodes; the rest are
     * discovered), its topology refreshed every {@code refreshPeriod} and adaptively.
     */
    public static ScriptExecutor cluster(List<RedisURI> seeds, ClientResources resources, Duration connectTimeout,
                                         Duration commandTimeout, Duration refreshPeriod) {
        return new ScriptExecutor(r -> new ClusterTarget(seeds, r, connectTimeout, refreshPeriod), resources, commandTimeout);
    }

    private static ClientResources ownResources() {
        return ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /**
     * Subscribes to {@code channel} on a pub/sub connection of its own (on a cluster, to one node:
     * a {@code PUBLISH} reaches every node), calling {@code onMessage} on Lettuce's event loop for
     * every message. Lettuce reconnects and subscribes again by itself after a disconnection; the
     * future fails if the first connection cannot be opened (try again later). The connection closes
     * with this executor.
     */
    public CompletableFuture<Void> subscribe(String channel, Consumer<String> onMessage) {
        if (closed) {
            return CompletableFuture.failedFuture(new RedisConnectionException("closed"));
        }
        return target.connectPubSub().thenCompose(pubsub -> {
            synchronized (connectLock) {
                if (closed) {
                    pubsub.closeAsync();
                    return CompletableFuture.failedFuture(new RedisConnectionException("closed"));
                }
                pubSubConnections.add(pubsub);
            }
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String message) {
                    if (channel.equals(from)) {
                        onMessage.accept(message);
                    }
                }
            });
            return pubsub.async().subscribe(channel).toCompletableFuture();
        });
    }

    /** Whether a subscription made with {@link #subscribe} has an open connection right now. */
    public boolean isSubscribed() {
        synchronized (connectLock) {
            for (StatefulRedisPubSubConnection<String, String> c : pubSubConnections) {
                if (c.isOpen()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether this executor talks to a Redis Cluster. */
    public boolean isCluster() {
        return cluster;
    }

    /** The hash slot of {@code key} on a Redis Cluster (CRC16 of its hash tag, mod 16384). */
    public static int slot(String key) {
        return SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * On a cluster, the {@code host:port} of the master that serves {@code slot} in the topology
     * known now; null when there is none yet (not connected, or the slot is not covered), and
     * always null on a single node.
     */
    public String masterOf(int slot) {
        return cluster ? target.masterOf(slot) : null;
    }

    /** On a cluster, the addresses ({@code host:port}) of the masters that serve slots now; empty otherwise. */
    public Set<String> masters() {
        return target.masters();
    }

    /**
     * On a cluster, asks Lettuce to reload the topology now, at most once per
     * {@link #REFRESH_INTERVAL_NANOS} whoever asks; the reload runs in the background. No effect on
     * a single node.
     */
    public void refreshTopology() {
        if (!cluster || closed) {
            return;
        }
        long last = lastRefreshNanos.get();
        long now = System.nanoTime();   // real time: topology is about the network, not the limiter's clock
        if (now - last >= REFRESH_INTERVAL_NANOS && lastRefreshNanos.compareAndSet(last, now)) {
            target.refresh();
        }
    }

    /** Starts opening the connection (if not already open or opening) without waiting for it. */
    public void connectInBackground() {
        connection();
    }

    /** Whether the connection is open right now. */
    public boolean isConnected() {
        CompletableFuture<StatefulConnection<String, String>> c = connection;
        return c != null && c.isDone() && !c.isCompletedExceptionally() && c.join().isOpen();
    }

    /**
     * Runs {@code script} with one key and {@code args}; the future completes with the script's
     * array reply, or exceptionally (timeout, connection failure, script error) within the command
     * timeout.
     */
    public CompletableFuture<List<Object>> run(LuaScript script, String key, String[] args) {
        return run(script, new String[] {key}, args);
    }

    /** {@link #run(LuaScript, String, String[])} with several keys (all in one hash slot on a cluster). */
    public CompletableFuture<List<Object>> run(LuaScript script, String[] keys, String[] args) {
        return send(script, keys, args).orTimeout(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * {@link #run(LuaScript, String[], String[])} without its time bound: the caller must bound its
     * wait itself (no timer task is scheduled).
     */
    public CompletableFuture<List<Object>> send(LuaScript script, String[] keys, String[] args) {
        RedisScriptingAsyncCommands<String, String> ready = commands;
        return ready != null && !closed
                ? evalsha(ready, script, keys, args)
                : connection().thenCompose(c -> evalsha(target.opened(c), script, keys, args));
    }

    /**
     * Runs {@code script} and waits for its reply on the calling thread, at most the command timeout.
     *
     * @throws RuntimeException the failure: a Lettuce {@code RedisException} (connection, timeout,
     *                          script error) or a {@link RedisCommandTimeoutException}
     */
    public List<Object> runSync(LuaScript script, String key, String[] args) {
        RedisScriptingAsyncCommands<String, String> ready = commands;
        if (cluster) {
            return await(send(script, new String[] {key}, args));
        }
        if (ready == null || closed) {
            try {
                return run(script, key, args).join();
            } catch (CompletionException e) {
                throw asRuntime(unwrap(e));
            }
        }
        String[] keys = {key};
        try {
            return await(ready.evalsha(script.sha1(), ScriptOutputType.MULTI, keys, args));
        } catch (RedisNoScriptException e) {
            return await(ready.eval(script.source(), ScriptOutputType.MULTI, keys, args));
        }
    }

    private List<Object> await(Future<List<Object>> reply) {
        try {
            return reply.get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw asRuntime(e.getCause());
        } catch (TimeoutException e) {
            reply.cancel(false);
            throw new RedisCommandTimeoutException("no reply from Redis within " + commandTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply.cancel(false);
            throw new RedisException("interrupted while waiting for Redis", e);
        }
    }

    private static RuntimeException asRuntime(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new RedisException(t);
    }

    /**
     * {@code EVALSHA} (then {@code EVAL} on {@code NOSCRIPT}); on a cluster, a call rejected because
     * the connection to its node was still being opened (Lettuce opens one per node on first use,
     * and rejects commands meanwhile) is sent once more when that connection is open.
     */
    private CompletableFuture<List<Object>> evalsha(RedisScriptingAsyncCommands<String, String> cmd, LuaScript script,
                                                   String[] keys, String[] args) {
        CompletableFuture<List<Object>> first = evalshaOnce(cmd, script, keys, args);
        if (!cluster) {
            return first;
        }
        return first.exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            CompletableFuture<?> opening = isRejectedWhileDisconnected(cause) && keys.length > 0
                    ? target.nodeBeingOpened(keys[0]) : null;
            return opening == null
                    ? CompletableFuture.failedFuture(cause)
                    : opening.thenCompose(opened -> evalshaOnce(cmd, script, keys, args));
        });
    }

    static boolean isRejectedWhileDisconnected(Throwable failure) {
        return failure instanceof RedisException && failure.getMessage() != null
                && failure.getMessage().startsWith("Currently not connected");
    }

    private static CompletableFuture<List<Object>> evalshaOnce(RedisScriptingAsyncCommands<String, String> cmd,
                                                              LuaScript script, String[] keys, String[] args) {
        CompletableFuture<List<Object>> first = cmd.<List<Object>>evalsha(script.sha1(), ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture();
        return first.exceptionallyCompose(e -> {
            if (unwrap(e) instanceof RedisNoScriptException) {
                return cmd.<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(unwrap(e));
        });
    }

    private CompletableFuture<StatefulConnection<String, String>> connection() {
        CompletableFuture<StatefulConnection<String, String>> current = connection;
        if (current != null && (!current.isCompletedExceptionally() || !retryDue())) {
            return current;
        }
        synchronized (connectLock) {
            if (closed) {
                return CompletableFuture.failedFuture(new RedisConnectionException("the Redis limit store is closed"));
            }
            current = connection;
            if (current != null && (!current.isCompletedExceptionally() || !retryDue())) {
                return current;
            }
            lastAttemptNanos = System.nanoTime();
            CompletableFuture<StatefulConnection<String, String>> attempt = target.connect();
            connection = attempt;
            attempt.thenAccept(c -> {
                if (closed) {
                    c.closeAsync();
                } else {
                    commands = target.opened(c);
                }
            });
            return attempt;
        }
    }

    private boolean retryDue() {
        synchronized (connectLock) {
            // Real time on purpose: reconnecting is about the network, not about the limiter's clock.
            return System.nanoTime() - lastAttemptNanos >= CONNECT_RETRY_NANOS;
        }
    }

    /** The cause of a {@link CompletionException}, or the throwable itself. */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Closes the connection and the client; idempotent. */
    @Override
    public void close() {
        CompletableFuture<StatefulConnection<String, String>> c;
        List<StatefulRedisPubSubConnection<String, String>> pubsub;
        synchronized (connectLock) {
            if (closed) {
                return;
            }
            closed = true;
            commands = null;
            c = connection;
            pubsub = List.copyOf(pubSubConnections);
            pubSubConnections.clear();
        }
        pubsub.forEach(StatefulRedisPubSubConnection::close);
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().close();
        }
        target.client().shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (ownedResources != null) {
            ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "ScriptExecutor[" + target.describe() + (isConnected() ? ", connected" : "") + "]";
    }
}
