package dev.bulwark.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The handoff between a place given back and a waiter giving up, decided one way or the other, never lost. */
class CapacityTest {

    @Test
    void aPlaceGivenBackSkipsAWaiterThatGaveUpAndIsNotLost() throws Exception {
        Capacity capacity = new Capacity(1);
        assertThat(capacity.tryAcquire()).isTrue();
        Capacity.Waiter gaveUp = capacity.acquireOrEnqueue(10);
        Capacity.Waiter stillWaiting = capacity.acquireOrEnqueue(10);
        assertThat(gaveUp.end(Capacity.Waiter.TIMED_OUT)).isTrue(); // its deadline fired; it has not left the queue yet

        capacity.release();
        assertThat(stillWaiting.state()).isEqualTo(Capacity.Waiter.GRANTED);
        capacity.forget(gaveUp);
        capacity.release();
        assertThat(capacity.free()).as("with no one waiting, the place is free").isEqualTo(1);
        assertThat(capacity.waiters()).isZero();
    }

    @Test
    void aWaiterHandedAPlaceBeforeItsDeadlineKeepsIt() throws Exception {
        Capacity capacity = new Capacity(1);
        capacity.tryAcquire();
        Capacity.Waiter waiter = capacity.acquireOrEnqueue(10);
        capacity.release();
        assertThat(waiter.end(Capacity.Waiter.TIMED_OUT)).as("the deadline comes too late").isFalse();
        assertThat(waiter.await()).isEqualTo(Capacity.Waiter.GRANTED);
        assertThat(capacity.free()).isZero();
    }

    @Test
    void theQueueIsBoundedAndClosingEndsEveryWaiter() throws Exception {
        Capacity capacity = new Capacity(1);
        capacity.tryAcquire();
        Capacity.Waiter first = capacity.acquireOrEnqueue(1);
        assertThatThrownBy(() -> capacity.acquireOrEnqueue(1)).isInstanceOf(Capacity.WaitersFull.class);
        capacity.close();
        assertThat(first.state()).isEqualTo(Capacity.Waiter.CLOSED);
        assertThat(capacity.waiters()).isZero();
    }
}
