package dev.bulwark.config.model;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The description of a setting of the schema, and its default when it is left out; shown in the
 * Spring Boot configuration metadata (IDE completion) and checked against docs/config.md.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE})
public @interface Doc {

    /** What the setting means, one sentence. */
    String value();

    /** The value that applies when the setting is left out, as it would be written; empty when none. */
    String defaultValue() default "";
}
