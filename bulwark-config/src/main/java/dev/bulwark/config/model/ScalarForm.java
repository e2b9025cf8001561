package dev.bulwark.config.model;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a settings record that may be written as a single value, which then sets its first
 * component: {@code totalTimeout: 2s} is {@code totalTimeout: {timeout: 2s}}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ScalarForm {
}
