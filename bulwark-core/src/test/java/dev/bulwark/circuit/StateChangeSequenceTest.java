package dev.bulwark.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code state_change} events of one breaker may reach handlers out of order when several threads
 * move it; each carries the breaker's transition number ({@code sequence}), assigned at the
 * compare-and-set of the transition, so a handler can put them back in order.
 */
class StateChangeSequenceTest {

    record Change(long sequence, String from, String to) {
    }

    @Test
    void sortedBySequenceTheStateChangesOfManyThreadsFormAnUnbrokenChainEndingInTheFinalState() throws Exception {
        ManualClock clock = new ManualClock();
        try (Telemetry telemetry = Telemetry.create()) {
            ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();
            telemetry.attach("mirror", telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE), (name, m, md) ->
                    changes.add(new Change(m.get("sequence").longValue(), (String) md.get("from"), (String) md.get("to"))));
            CircuitBreaker cb = CircuitBreakers.create(clock, telemetry).install("contended", CircuitBreakerConfig.builder()
                    .failureCount(0, Duration.ofHours(1)).reset(Duration.ofHours(1)).build());

            int threads = 8;
            int rounds = 3_000;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int i = 0; i < rounds; i++) {
                            switch (random.nextInt(4)) {
                                case 0, 1 -> cb.execute(() -> {
                                    throw new IOException("down"); // closed -> open
                                });
                                case 2 -> cb.reset();              // open -> closed
                                default -> {
                                    if (random.nextBoolean()) {
                                        cb.disable();
                                    } else {
                                        cb.enable();
                                    }
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            List<Change> ordered = new ArrayList<>(changes);
            ordered.sort(Comparator.comparingLong(Change::sequence));
            assertThat(ordered).hasSizeGreaterThan(100);
            for (int i = 0; i < ordered.size(); i++) {
                assertThat(ordered.get(i).sequence()).as("sequence numbers are 1, 2, 3, ...").isEqualTo(i + 1);
                if (i > 0) {
                    assertThat(ordered.get(i).from()).as("change %d follows change %d", i + 1, i)
                            .isEqualTo(ordered.get(i - 1).to());
                }
            }
            assertThat(ordered.get(0).from()).isEqualTo("closed");
            assertThat(ordered.get(ordered.size() - 1).to()).isEqualTo(cb.state().label());
        }
    }
}
