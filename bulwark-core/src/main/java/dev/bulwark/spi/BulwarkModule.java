package dev.bulwark.spi;

/**
 * A unit of functionality installed into an {@code Infrastructure}: a limit store on Redis, pools,
 * a metrics binder, a dashboard, an event recorder. Installed with
 * {@code Infrastructure.builder().install(module)}: modules install in the order given, after
 * core's components are built, and their components close in reverse order when the
 * infrastructure closes.
 *
 * <pre>{@code
 * try (Infrastructure infra = Infrastructure.builder()
 *         .install(RedisLimitStore.module(RedisLimitStore.builder().uri("redis://127.0.0.1:6379")))
 *         .build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>A module gets everything from the {@link ModuleContext}: it never builds a clock, a telemetry
 * stream or a breaker registry of its own.
 */
public interface BulwarkModule {

    /** A short, unique name (lower_snake_case), e.g. {@code redis_limit_store}. */
    String name();

    /**
     * Builds the module's components on the infrastructure's clock, telemetry and registries and
     * registers them ({@link ModuleContext#register}). Throwing fails the build of the
     * infrastructure: the modules installed before are closed again and the exception reaches
     * the caller of {@code build()}.
     */
    void install(ModuleContext context);
}
