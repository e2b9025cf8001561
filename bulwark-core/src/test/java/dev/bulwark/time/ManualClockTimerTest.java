package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTimerTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void scheduledTasksRunWhenTheClockPassesTheirDueTimeInOrderWithTheClockAtThatTime() {
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(3).toNanos(), () -> ran.add("c@" + clock.elapsed().toSeconds()));
        clock.schedule(Duration.ofSeconds(1).toNanos(), () -> ran.add("a@" + clock.elapsed().toSeconds()));
        clock.schedule(Duration.ofSeconds(1).toNanos(), () -> ran.add("b@" + clock.elapsed().toSeconds()));

        clock.advance(Duration.ofSeconds(2));
        assertThat(ran).containsExactly("a@1", "b@1");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(2));

        clock.advance(Duration.ofSeconds(5));
        assertThat(ran).containsExactly("a@1", "b@1", "c@3");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aTaskMayScheduleAnotherThatFallsDueInTheSameAdvance() {
        List<Long> ran = new ArrayList<>();
        clock.schedule(1_000, () -> {
            ran.add(clock.elapsed().toNanos());
            clock.schedule(500, () -> ran.add(clock.elapsed().toNanos()));
        });
        clock.advanceNanos(2_000);
        assertThat(ran).containsExactly(1_000L, 1_500L);
    }

    @Test
    void aCancelledTaskNeverRuns() {
        List<String> ran = new ArrayList<>();
        Scheduler.Task task = clock.schedule(10, () -> ran.add("x"));
        assertThat(clock.pendingTasks()).isEqualTo(1);
        task.cancel();
        assertThat(task.isCancelled()).isTrue();
        assertThat(clock.pendingTasks()).isZero();
        clock.advanceNanos(100);
        assertThat(ran).isEmpty();
    }

    @Test
    void sleepingMakesTheTimePassAtOnce() throws InterruptedException {
        clock.sleep(Duration.ofMinutes(5));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void sleepingWhenInterruptedThrowsAndClearsTheFlag() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> clock.sleep(10)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(clock.elapsed()).isZero();
    }

    @Test
    void advanceToNextTaskJumpsExactlyToItsDueTime() {
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofMillis(250).toNanos(), () -> ran.add("due"));
        assertThat(clock.advanceToNextTask()).isTrue();
        assertThat(ran).containsExactly("due");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(250));
        assertThat(clock.advanceToNextTask()).isFalse();
    }

    @Test
    void negativeDelaysAreRejected() {
        assertThatThrownBy(() -> clock.schedule(-1, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> clock.sleep(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
    }
}
