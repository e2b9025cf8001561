package dev.bulwark.harness;

import dev.bulwark.Infrastructure;
import dev.bulwark.time.ManualClock;
import java.util.ArrayList;
import java.util.List;

/** A manual clock and, when a recipe asks for one, an infrastructure on it; closed after each case. */
final class Fixture implements AutoCloseable {

    final ManualClock clock = new ManualClock();
    private Infrastructure infra;
    private final List<Object> owned = new ArrayList<>();

    Infrastructure infra() {
        if (infra == null) {
            infra = Infrastructure.builder().clock(clock).build();
        }
        return infra;
    }

    /** A stage context on this fixture's infrastructure, for building stages directly. */
    dev.bulwark.spi.StageContext stageContext() {
        Infrastructure infrastructure = infra();
        return new dev.bulwark.spi.StageContext() {
            @Override
            public String protectionName() {
                return "harness";
            }

            @Override
            public dev.bulwark.pipeline.PolicyContext policyContext() {
                return infrastructure.policyContext();
            }

            @Override
            public dev.bulwark.circuit.CircuitBreakers circuitBreakers() {
                return infrastructure.circuitBreakers();
            }

            @Override
            public dev.bulwark.ratelimit.RateLimiter rateLimiter() {
                return infrastructure.rateLimiter();
            }

            @Override
            public <C> java.util.Optional<C> component(Class<C> type) {
                return infrastructure.component(type);
            }
        };
    }

    /** Remembers a builder of an infrastructure, so that what a case builds with it can be closed. */
    <T> T own(T thing) {
        owned.add(thing);
        return thing;
    }

    /** Closes what a call returned, if it is an infrastructure or another closeable Bulwark object. */
    void adopt(Object returned) {
        if (returned instanceof AutoCloseable && returned.getClass().getName().startsWith("dev.bulwark")) {
            owned.add(returned);
        }
    }

    @Override
    public void close() {
        for (Object o : owned) {
            if (o instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing what a bad-input case built; its outcome was judged already
                }
            }
        }
        if (infra != null) {
            infra.close();
        }
    }
}
