package dev.bulwark.redis.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs the project's local Redis Cluster (127.0.0.1:7301-7306, started by
 * {@code bulwark-redis/src/test/cluster/cluster.sh start}; {@code .ci/run} starts it). Without it the
 * class is skipped with a message saying how to start it; under {@code CI=true} it fails instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RedisClusterAvailability.class)
public @interface RequiresRedisCluster {
}
