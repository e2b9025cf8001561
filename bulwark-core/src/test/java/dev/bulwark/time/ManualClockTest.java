package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void timeStandsStillUntilAdvanced() {
        ManualClock clock = new ManualClock();
        long nanos = clock.nanoTime();
        long millis = clock.currentTimeMillis();
        assertThat(clock.nanoTime()).isEqualTo(nanos);
        assertThat(clock.currentTimeMillis()).isEqualTo(millis);
        assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    }

    @Test
    void advanceMovesMonotonicAndWallTimeTogether() {
        ManualClock clock = new ManualClock(Instant.parse("2030-06-01T12:00:00Z"));
        long start = clock.nanoTime();
        clock.advance(Duration.ofSeconds(90)).advanceMillis(5).advanceNanos(7);

        assertThat(clock.nanoTime() - start).isEqualTo(90_005_000_007L);
        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-06-01T12:01:30.005Z"));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofNanos(90_005_000_007L));
    }

    @Test
    void timeNeverGoesBack() {
        ManualClock clock = new ManualClock();
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1000000");
    }

    @Test
    void concurrentAdvancesAreAllCounted() throws Exception {
        ManualClock clock = new ManualClock();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4_000; i++) {
            pool.execute(() -> clock.advanceNanos(3));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(clock.elapsed()).isEqualTo(Duration.ofNanos(12_000));
    }

    @Test
    void systemClockReadsTheRealClock() {
        Clock clock = Clock.system();
        long before = System.currentTimeMillis();
        long read = clock.currentTimeMillis();
        assertThat(read).isBetween(before, System.currentTimeMillis());
        long n1 = clock.nanoTime();
        assertThat(clock.nanoTime()).isGreaterThanOrEqualTo(n1);
    }
}
