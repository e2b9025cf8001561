package dev.bulwark.redis.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The check behind {@link RequiresRedis}: a PING over a plain socket, once per JVM. */
public final class RedisAvailability implements ExecutionCondition, BeforeAllCallback {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 6379;
    public static final String URI = "redis://" + HOST + ":" + PORT;

    static final String HOW_TO_START = "Redis is not reachable at " + HOST + ":" + PORT + ". Start it with: "
            + "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no";

    private static volatile Boolean available;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (isAvailable()) {
            return ConditionEvaluationResult.enabled("Redis answers at " + HOST + ":" + PORT);
        }
        if (onCi()) {
            return ConditionEvaluationResult.enabled("CI=true: the missing Redis fails the tests");
        }
        return ConditionEvaluationResult.disabled(HOW_TO_START);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!isAvailable()) {
            throw new AssertionError("CI=true and " + HOW_TO_START);
        }
    }

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Whether Redis answers PING at the default address. */
    public static boolean isAvailable() {
        Boolean known = available;
        if (known == null) {
            known = ping();
            available = known;
        }
        return known;
    }

    private static boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 1_000);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, 7);
            return new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
