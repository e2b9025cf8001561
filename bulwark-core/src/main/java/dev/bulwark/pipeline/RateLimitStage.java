package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.internal.pipeline.DirectStep;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import dev.bulwark.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The rate limit stage ({@link Slot#RATE_LIMIT}): the call runs if its entity is within
 * {@code rule} for {@code operation}, counted by the infrastructure's rate limiter (whose store
 * keeps the state, so it outlives any reconfiguration). A denied call is not retried and takes no
 * bulkhead place.
 *
 * @param entityId  the entity limited, or null when each call names it (a per-caller limit; a
 *                  call that names none is refused with 6009)
 * @param operation the operation limited
 * @param rule      the limit
 */
public record RateLimitStage(String entityId, String operation, RateLimit rule) implements StageSpec {

    public RateLimitStage {
        Objects.requireNonNull(rule, "rule");
        requireText("operation", operation);
        if (entityId != null) {
            requireText("entityId", entityId);
        }
    }

    /** A limit on each caller: every call names its entity. */
    public static RateLimitStage perCaller(String operation, RateLimit rule) {
        return new RateLimitStage(null, operation, rule);
    }

    @Override
    public Slot slot() {
        return Slot.RATE_LIMIT;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, context.protectionName(), context.rateLimiter(), context.policyContext());
    }

    private static void requireText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must be non-blank, was " + (value == null ? "null" : "'" + value + "'"));
        }
    }

    /**
     * The runtime. Each call is one {@link RateLimiter#acquireOrError}: an admission allocation-free
     * while nobody but primitive handlers listens, a denial answered with the 6001 error of a full
     * decision, the limiter's event emitted once either way.
     */
    static final class Runtime implements Stage {
        private final RateLimitStage spec;
        private final String protection;
        private final RateLimiter limiter;
        private final Clock clock;

        Runtime(RateLimitStage spec, String protection, RateLimiter limiter, PolicyContext context) {
            this.spec = spec;
            this.protection = protection;
            this.limiter = limiter;
            this.clock = context.clock();
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            InfraError refused = acquire(call.entityId());
            return refused == null ? next.run(call) : Result.err(refused);
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            InfraError refused = acquire(call.entityId());
            return refused == null ? next.run(call) : CompletableFuture.completedFuture(Result.err(refused));
        }

        /** Links with a step class of this stage's own, so the JIT sees one target at each link. */
        @Override
        public Step link(Step next) {
            return new Linked(this, next);
        }

        @Override
        public AsyncStep linkAsync(AsyncStep next) {
            return new LinkedAsync(this, next);
        }

        private static final class Linked extends DirectStep {
            private final Runtime stage;

            Linked(Runtime stage, Step next) {
                super(next);
                this.stage = stage;
            }

            @Override
            public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
                InfraError refused = stage.acquire(entityId);
                return refused == null ? next.run(operation, entityId, criticality, call) : Result.err(refused);
            }
        }

        private record LinkedAsync(Runtime stage, AsyncStep next) implements AsyncStep {
            @Override
            public <T> CompletionStage<Result<T>> run(Call<T> call) {
                return stage.executeAsync(call, next);
            }
        }

        @Override
        public ComponentStatus status() {
            return spec.entityId == null ? null
                    : limiter.status(spec.entityId, spec.operation, List.of(spec.rule)).orElse(null);
        }

        /** Records one call; null when admitted, else the error (6001 when denied, 6009 for a bad entity). */
        private InfraError acquire(String callEntityId) {
            String entityId = callEntityId != null ? callEntityId : spec.entityId;
            if (entityId == null) {
                return InfraError.builder(CoreErrorCode.RATE_LIMITER_INVALID_INPUT)
                        .message("protection '" + protection + "' limits each caller: pass the entity id to executeProtected")
                        .context("key", protection)
                        .context("operation", spec.operation)
                        .timestampMillis(clock.currentTimeMillis())
                        .build();
            }
            return limiter.acquireOrError(entityId, spec.operation, spec.rule);
        }
    }
}
