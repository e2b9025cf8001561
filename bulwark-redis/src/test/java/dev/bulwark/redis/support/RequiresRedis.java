package dev.bulwark.redis.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs the Redis server at 127.0.0.1:6379 (DESIGN §9). When Redis is not
 * there, the class is skipped with a message saying how to start it; under {@code CI=true} it fails
 * instead, because CI must not go green without having run these tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RedisAvailability.class)
public @interface RequiresRedis {
}
