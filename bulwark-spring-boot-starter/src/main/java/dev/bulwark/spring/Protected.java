package dev.bulwark.spring;

import dev.bulwark.pipeline.Criticality;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a bean method under the named protection {@code value} (a key of {@code bulwark.protections},
 * or one configured in code): one interceptor calls {@code infra.executeProtected(key, ...)}, so
 * every stage runs in Bulwark's one order (fallback → rate limit → shed → adaptive concurrency →
 * bulkhead → total timeout → retry → hedge → circuit breaker → attempt timeout → the method) and there is no aspect order to tune.
 * Methods returning {@link java.util.concurrent.CompletionStage} (or {@code CompletableFuture}) run
 * through the asynchronous pipeline.
 *
 * <p><b>Outcome.</b> The method's value, or the protection's fallback value (converted to the
 * method's return type). When the protection fails: the {@link #fallbackMethod} if there is one;
 * else the method's own exception when the method itself failed (also after the retries), and an
 * {@link dev.bulwark.error.InfraException} with the code for a rejection (5004 breaker open, 6001 rate
 * limited, 7001 bulkhead full, 7002 timed out...).
 *
 * <p><b>Checked at startup.</b> The key must be configured and the fallback method must exist with
 * a fitting signature when the context starts: a mistake fails the boot with a message naming the
 * method and the signature expected, never a {@code NoSuchMethodException} at the first failure.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Protected {

    /** The key of the named protection. */
    String value();

    /**
     * A method of the same bean that answers when the protection fails: the same parameters,
     * optionally followed by one parameter receiving the failure ({@code InfraError}, or a
     * {@code Throwable} type receiving what would have been thrown), and a return type assignable
     * to this method's. Empty for none.
     */
    String fallbackMethod() default "";

    /**
     * How much the call matters under overload: a protection with {@code shed: true} rejects
     * {@link Criticality#SHEDDABLE} calls from ELEVATED memory pressure and all but
     * {@link Criticality#CRITICAL} ones at CRITICAL (7201). Without a shed stage it changes nothing.
     */
    Criticality criticality() default Criticality.DEFAULT;
}
