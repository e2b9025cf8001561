package dev.bulwark.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExecutorSchedulerTest {

    @Test
    void aFailingPeriodicTaskKeepsItsSchedule() throws Exception {
        try (ExecutorScheduler scheduler = new ExecutorScheduler()) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch fiveRuns = new CountDownLatch(5);
            scheduler.scheduleAtFixedRate("flaky", Duration.ofMillis(1), () -> {
                runs.incrementAndGet();
                fiveRuns.countDown();
                throw new IllegalStateException("every run fails");
            });

            assertThat(fiveRuns.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(scheduler.failures()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void cancelledTaskStopsRunning() throws Exception {
        try (ExecutorScheduler scheduler = new ExecutorScheduler()) {
            CountDownLatch ran = new CountDownLatch(1);
            Scheduler.Task task = scheduler.schedule("once", Duration.ofHours(1), ran::countDown);
            task.cancel();
            assertThat(task.isCancelled()).isTrue();
            CountDownLatch other = new CountDownLatch(1);
            scheduler.schedule("other", Duration.ZERO, other::countDown);
            assertThat(other.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran.getCount()).isEqualTo(1);
        }
    }

    @Test
    void rejectsBadPeriodsAndSchedulingAfterClose() {
        ExecutorScheduler scheduler = new ExecutorScheduler();
        assertThatThrownBy(() -> scheduler.scheduleAtFixedRate("sweep", Duration.ZERO, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sweep").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> scheduler.schedule("later", Duration.ofSeconds(-1), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        scheduler.close();
        assertThat(scheduler.isClosed()).isTrue();
        assertThatThrownBy(() -> scheduler.schedule("late", Duration.ZERO, () -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
