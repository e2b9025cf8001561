package dev.bulwark.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link ScriptExecutor} reaches Redis: one server ({@link SingleNodeTarget}) or a Redis
 * Cluster ({@link ClusterTarget}, the only class that touches Lettuce's cluster client, so that a
 * single-node store never loads it). The cluster-only operations do nothing on a single node.
 */
interface RedisTarget {

    /** Opens the connection (in the background). */
    CompletableFuture<StatefulConnection<String, String>> connect();

    /** The connection is open: the scripting commands to send on it. */
    RedisScriptingAsyncCommands<String, String> opened(StatefulConnection<String, String> connection);

    /** Opens a pub/sub connection (in the background). */
    CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSub();

    AbstractRedisClient client();

    String describe();

    default boolean isCluster() {
        return false;
    }

    /** On a cluster, the {@code host:port} of the master of {@code slot} now, or null. */
    default String masterOf(int slot) {
        return null;
    }

    /** On a cluster, the masters serving slots now. */
    default Set<String> masters() {
        return Set.of();
    }

    /** On a cluster, reloads the topology in the background. */
    default void refresh() {
    }

    /**
     * On a cluster, the connection to the master of {@code key}'s slot if it is being opened or has
     * just opened (a command sent meanwhile was rejected and may be sent again once it completes);
     * null otherwise.
     */
    default CompletableFuture<?> nodeBeingOpened(String key) {
        return null;
    }

    /** The options both clients share: reconnect, reject while disconnected, no per-command timer. */
    static <B extends ClientOptions.Builder> B commonOptions(B builder, Duration connectTimeout) {
        builder.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(65_536)
                .pingBeforeActivateConnection(true)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).tcpNoDelay(true).build())
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build());
        return builder;
    }
}
