package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TickingClockTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void startsAtTheSystemClockAndMovesWithIt() {
        long before = System.nanoTime();
        long wallBefore = System.currentTimeMillis();
        try (TickingClock clock = TickingClock.start(Duration.ofMillis(1))) {
            long first = clock.nanoTime();
            assertThat(first).isGreaterThanOrEqualTo(before).isLessThanOrEqualTo(System.nanoTime());
            assertThat(clock.currentTimeMillis()).isGreaterThanOrEqualTo(wallBefore);

            await().atMost(BOUND).until(() -> clock.nanoTime() > first);
            await().atMost(BOUND).until(() -> clock.currentTimeMillis() > wallBefore + 1);
        }
    }

    @Test
    void lagsTheSystemClockAndNeverRunsAheadOfIt() {
        try (TickingClock clock = TickingClock.start(Duration.ofMillis(1))) {
            for (int i = 0; i < 100_000; i++) {
                long sample = clock.nanoTime();
                assertThat(sample).isLessThanOrEqualTo(System.nanoTime());
            }
        }
    }

    @Test
    void isMonotonicForConcurrentReaders() throws InterruptedException {
        try (TickingClock clock = TickingClock.start(TickingClock.MIN_RESOLUTION)) {
            AtomicLong regressions = new AtomicLong();
            Thread[] readers = new Thread[4];
            for (int t = 0; t < readers.length; t++) {
                readers[t] = new Thread(() -> {
                    long last = clock.nanoTime();
                    for (int i = 0; i < 200_000; i++) {
                        long now = clock.nanoTime();
                        if (now < last) {
                            regressions.incrementAndGet();
                        }
                        last = now;
                    }
                });
                readers[t].start();
            }
            for (Thread reader : readers) {
                reader.join(BOUND.toMillis());
                assertThat(reader.isAlive()).isFalse();
            }
            assertThat(regressions).hasValue(0);
        }
    }

    @Test
    void closingStopsTheThreadAndHandsReadsToTheSystemClock() {
        TickingClock clock = TickingClock.start(Duration.ofMillis(1));
        assertThat(tickThreadAlive()).isTrue();
        long lastTick = clock.nanoTime();

        clock.close();
        clock.close();

        assertThat(clock.isClosed()).isTrue();
        assertThat(tickThreadAlive()).isFalse();
        long afterClose = clock.nanoTime();
        assertThat(afterClose).isGreaterThanOrEqualTo(lastTick);
        long later = System.nanoTime();
        assertThat(clock.nanoTime()).isGreaterThanOrEqualTo(later);
        assertThat(clock.toString()).contains("closed");
    }

    @Test
    void rejectsResolutionsOutsideTheRange() {
        assertThatThrownBy(() -> TickingClock.start(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resolution").hasMessageContaining("null");
        assertThatThrownBy(() -> TickingClock.start(Duration.ofNanos(99_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.000099999S");
        assertThatThrownBy(() -> TickingClock.start(Duration.ofMillis(1001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1.001S");
        assertThatThrownBy(() -> TickingClock.start(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsItsResolution() {
        try (TickingClock clock = TickingClock.start()) {
            assertThat(clock.resolution()).isEqualTo(TickingClock.DEFAULT_RESOLUTION);
            assertThat(clock.isClosed()).isFalse();
        }
    }

    private static boolean tickThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("bulwark-clock") && t.isAlive());
    }
}
