package dev.bulwark.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of a {@link Protected} method whose value ({@code toString()}) is the entity
 * the protection's per-caller rate limit counts. Without one, a per-caller limit counts the caller
 * the HTTP filter resolved for the current request, if any.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface CallerId {
}
