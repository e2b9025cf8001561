package dev.bulwark.redis.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The check behind {@link RequiresRedisCluster}: the project's local cluster
 * ({@code src/test/cluster/cluster.sh start}, ports 7301-7306) answers and says
 * {@code cluster_state:ok}; checked once per JVM over a plain socket.
 */
public final class RedisClusterAvailability implements ExecutionCondition, BeforeAllCallback {

    public static final String HOST = "127.0.0.1";
    public static final int BASE_PORT = 7301;
    /** The seed URIs of the shared test cluster: its three first nodes. */
    public static final List<String> SEEDS = List.of("redis://127.0.0.1:7301", "redis://127.0.0.1:7302",
            "redis://127.0.0.1:7303");

    static final String HOW_TO_START = "The test Redis Cluster is not running on " + HOST + ":" + BASE_PORT + "-"
            + (BASE_PORT + 5) + ". Start it with: bulwark-redis/src/test/cluster/cluster.sh start "
            + "(6 local redis-server processes; stop them with: cluster.sh stop)";

    private static volatile Boolean available;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (isAvailable()) {
            return ConditionEvaluationResult.enabled("the Redis Cluster answers at " + HOST + ":" + BASE_PORT);
        }
        if (RedisAvailability.onCi()) {
            return ConditionEvaluationResult.enabled("CI=true: the missing Redis Cluster fails the tests");
        }
        return ConditionEvaluationResult.disabled(HOW_TO_START);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!isAvailable()) {
            throw new AssertionError("CI=true and " + HOW_TO_START);
        }
    }

    /** Whether the shared test cluster answers and is ok. */
    public static boolean isAvailable() {
        Boolean known = available;
        if (known == null) {
            known = clusterOk(HOST, BASE_PORT);
            available = known;
        }
        return known;
    }

    /** Whether the node at {@code host:port} answers {@code CLUSTER INFO} with {@code cluster_state:ok}. */
    public static boolean clusterOk(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("CLUSTER INFO\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = new byte[4096];
            int n = in.read(reply);
            return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).contains("cluster_state:ok");
        } catch (IOException e) {
            return false;
        }
    }
}
