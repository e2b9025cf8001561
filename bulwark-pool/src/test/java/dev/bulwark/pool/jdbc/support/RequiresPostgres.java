package dev.bulwark.pool.jdbc.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs PostgreSQL at 127.0.0.1:5432 (database {@code test}). When it is
 * not there, the class is skipped with a message saying how to start it; under {@code CI=true} it
 * fails instead, because CI must not go green without having run these tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresAvailability.class)
public @interface RequiresPostgres {
}
