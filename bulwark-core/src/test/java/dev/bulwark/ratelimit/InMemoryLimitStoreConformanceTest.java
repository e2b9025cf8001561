package dev.bulwark.ratelimit;

import dev.bulwark.testkit.LimitStoreConformanceTest;
import dev.bulwark.time.Clock;

/** The in-memory store passes the shared conformance suite. */
class InMemoryLimitStoreConformanceTest extends LimitStoreConformanceTest {

    @Override
    protected LimitStore createStore(Clock clock) {
        return InMemoryLimitStore.create(clock);
    }
}
