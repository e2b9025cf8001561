package dev.bulwark.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A Redis Cluster through Lettuce's {@link RedisClusterClient}: adaptive topology refresh on every
 * trigger (at most one refresh per second), periodic refresh, at most five redirections per call,
 * a connection to every master opened with the cluster connection. Thread-safe.
 */
final class ClusterTarget implements RedisTarget {

    private final RedisClusterClient client;
    private final List<RedisURI> seeds;
    private volatile StatefulRedisClusterConnection<String, String> connection;

    ClusterTarget(List<RedisURI> seeds, ClientResources resources, Duration connectTimeout, Duration refreshPeriod) {
        this.seeds = List.copyOf(seeds);
        this.client = RedisClusterClient.create(resources, seeds);
        this.client.setOptions(RedisTarget.commonOptions(ClusterClientOptions.builder(), connectTimeout)
                .maxRedirects(5)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(refreshPeriod)
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .refreshTriggersReconnectAttempts(3)
                        .dynamicRefreshSources(true)
                        .closeStaleConnections(true)
                        .build())
                .build());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<StatefulConnection<String, String>> connect() {
        // an asynchronous connect needs the topology first: loaded here (and again on every attempt
        // while none is known), from the seeds, in the background
        return (CompletableFuture) client.refreshPartitionsAsync().toCompletableFuture()
                .thenCompose(loaded -> client.connectAsync(StringCodec.UTF8))
                .thenCompose(c -> openMasters(c).thenApply(opened -> c));
    }

    @Override
    @SuppressWarnings("unchecked")
    public RedisScriptingAsyncCommands<String, String> opened(StatefulConnection<String, String> opened) {
        StatefulRedisClusterConnection<String, String> cluster = (StatefulRedisClusterConnection<String, String>) opened;
        this.connection = cluster;
        return cluster.async();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        return (CompletableFuture) client.refreshPartitionsAsync().toCompletableFuture()
                .thenCompose(loaded -> client.connectPubSubAsync(StringCodec.UTF8));
    }

    @Override
    public AbstractRedisClient client() {
        return client;
    }

    @Override
    public boolean isCluster() {
        return true;
    }

    @Override
    public String masterOf(int slot) {
        StatefulRedisClusterConnection<String, String> c = connection;
        if (c == null) {
            return null;
        }
        RedisClusterNode master = c.getPartitions().getMasterBySlot(slot);
        return master == null || master.getUri() == null ? null : address(master);
    }

    @Override
    public Set<String> masters() {
        StatefulRedisClusterConnection<String, String> c = connection;
        Set<String> out = new TreeSet<>();
        if (c != null) {
            for (RedisClusterNode node : c.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty() && node.getUri() != null) {
                    out.add(address(node));
                }
            }
        }
        return out;
    }

    @Override
    public void refresh() {
        if (connection != null) {
            client.refreshPartitionsAsync();
        }
    }

    @Override
    public CompletableFuture<?> nodeBeingOpened(String key) {
        StatefulRedisClusterConnection<String, String> c = connection;
        if (c == null) {
            return null;
        }
        RedisClusterNode master = c.getPartitions().getMasterBySlot(ScriptExecutor.slot(key));
        if (master == null || master.getUri() == null) {
            return null;
        }
        CompletableFuture<StatefulRedisConnection<String, String>> node =
                c.getConnectionAsync(master.getUri().getHost(), master.getUri().getPort());
        if (node.isDone() && (node.isCompletedExceptionally() || !node.join().isOpen())) {
            return null;   // open but disconnected: the node is down, sending again would not help
        }
        return node;
    }

    /** Opens the connection to every master of the topology (failures ignored: commands report them). */
    private static CompletableFuture<Void> openMasters(StatefulRedisClusterConnection<String, String> cluster) {
        List<CompletableFuture<?>> opening = new ArrayList<>();
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && node.getUri() != null) {
                opening.add(cluster.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                        .handle((c, e) -> null));
            }
        }
        return CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0]));
    }

    private static String address(RedisClusterNode node) {
        return node.getUri().getHost() + ":" + node.getUri().getPort();
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("cluster ");
        for (int i = 0; i < seeds.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(seeds.get(i).getHost()).append(':').append(seeds.get(i).getPort());
        }
        return sb.toString();
    }
}
