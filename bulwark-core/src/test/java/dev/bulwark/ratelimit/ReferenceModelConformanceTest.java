package dev.bulwark.ratelimit;

import dev.bulwark.testkit.LimitStoreConformanceTest;
import dev.bulwark.testkit.ReferenceModel;
import dev.bulwark.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Runs the conformance suite against {@link ReferenceModel} itself: the suite's hand-computed
 * expectations and the model's search-based answers must agree before the model can judge stores.
 */
class ReferenceModelConformanceTest extends LimitStoreConformanceTest {

    @Override
    protected LimitStore createStore(Clock clock) {
        return new ModelStore(clock);
    }

    @Override
    protected boolean supportsInspect() {
        return false;
    }

    /** The model behind the LimitStore contract's argument checks; single-threaded use only. */
    static final class ModelStore implements LimitStore {
        private final Clock clock;
        private final ReferenceModel model = new ReferenceModel();

        ModelStore(Clock clock) {
            this.clock = clock;
        }

        @Override
        public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost) {
            check(entityId, operation, limits);
            if (cost < 1) {
                throw new IllegalArgumentException("cost must be >= 1, was " + cost);
            }
            return model.acquire(entityId, operation, limits, cost, clock.nanoTime());
        }

        @Override
        public Decision peek(String entityId, String operation, List<RateLimit> limits) {
            check(entityId, operation, limits);
            return model.peek(entityId, operation, limits, clock.nanoTime());
        }

        @Override
        public boolean reset(String entityId, String operation) {
            return model.reset(entityId, operation, clock.nanoTime());
        }

        private static void check(String entityId, String operation, List<RateLimit> limits) {
            Objects.requireNonNull(entityId, "entityId");
            Objects.requireNonNull(operation, "operation");
            if (limits.isEmpty()) {
                throw new IllegalArgumentException("at least one rule is needed");
            }
            for (int i = 0; i < limits.size(); i++) {
                for (int j = i + 1; j < limits.size(); j++) {
                    if (limits.get(i).sameState(limits.get(j))) {
                        throw new IllegalArgumentException("rules share state: " + limits.get(i) + ", " + limits.get(j));
                    }
                }
            }
        }
    }
}
