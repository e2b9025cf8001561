package dev.bulwark.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Runs Lua scripts on one multiplexed Lettuce connection: {@code EVALSHA}, falling back to
 * {@code EVAL} (which also caches the script on the server) when Redis answers {@code NOSCRIPT},
 * for instance after a restart or {@code SCRIPT FLUSH}.
 *
 * <p><b>Connection.</b> The connection is opened lazily and in the background, so that building a
 * store never fails or blocks because Redis is down. Once open, Lettuce reconnects it by itself
 * (with a delay capped at one second) and rejects commands while it is disconnected, so a call never
 * queues behind an outage. If opening fails, the next call after {@link #CONNECT_RETRY_NANOS}
 * starts a new attempt; calls in between fail at once.
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

    private final RedisClient client;
    private final RedisURI uri;
    private final ClientResources ownedResources;
    private final Duration commandTimeout;

    private final Object connectLock = new Object();
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private volatile RedisAsyncCommands<String, String> commands;
    private long lastAttemptNanos;
    private volatile boolean closed;

    /**
     * @param resources shared Lettuce resources, or null to create (and later shut down) our own
     */
    public ScriptExecutor(RedisURI uri, ClientResources resources, Duration connectTimeout, Duration commandTimeout) {
        this.uri = uri;
        this.commandTimeout = commandTimeout;
        this.ownedResources = resources == null
                ? ClientResources.builder()
                        .ioThreadPoolSize(2)
                        .computationThreadPoolSize(2)
                        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                        .build()
                : null;
        this.client = RedisClient.create(resources != null ? resources : ownedResources, uri);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(65_536)
                .pingBeforeActivateConnection(true)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).tcpNoDelay(true).build())
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
                .build());
    }

    /** Starts opening the connection (if not already open or opening) without waiting for it. */
    public void connectInBackground() {
        connection();
    }

    /** Whether the connection is open right now. */
    public boolean isConnected() {
        CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
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
        RedisAsyncCommands<String, String> ready = commands;
        return ready != null && !closed
                ? evalsha(ready, script, keys, args)
                : connection().thenCompose(c -> evalsha(c.async(), script, keys, args));
    }

    /**
     * Runs {@code script} and waits for its reply on the calling thread, at most the command timeout.
     *
     * @throws RuntimeException the failure: a Lettuce {@code RedisException} (connection, timeout,
     *                          script error) or a {@link RedisCommandTimeoutException}
     */
    public List<Object> runSync(LuaScript script, String key, String[] args) {
        RedisAsyncCommands<String, String> ready = commands;
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

    private List<Object> await(RedisFuture<List<Object>> reply) {
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

    private static CompletableFuture<List<Object>> evalsha(RedisAsyncCommands<String, String> cmd, LuaScript script,
                                                          String[] keys, String[] args) {
        CompletableFuture<List<Object>> first = cmd.<List<Object>>evalsha(script.sha1(), ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture();
        return first.exceptionallyCompose(e -> {
            if (unwrap(e) instanceof RedisNoScriptException) {
                return cmd.<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(unwrap(e));
        });
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> current = connection;
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
            CompletableFuture<StatefulRedisConnection<String, String>> attempt =
                    client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            connection = attempt;
            attempt.thenAccept(c -> {
                if (closed) {
                    c.closeAsync();
                } else {
                    commands = c.async();
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
        CompletableFuture<StatefulRedisConnection<String, String>> c;
        synchronized (connectLock) {
            if (closed) {
                return;
            }
            closed = true;
            commands = null;
            c = connection;
        }
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (ownedResources != null) {
            ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "ScriptExecutor[" + uri.getHost() + ":" + uri.getPort() + (isConnected() ? ", connected" : "") + "]";
    }
}
