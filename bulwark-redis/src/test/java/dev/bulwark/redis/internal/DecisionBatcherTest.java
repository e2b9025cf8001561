package dev.bulwark.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The batcher's bookkeeping with replies driven by hand (no Redis): who waits, who fails, when an
 * in-flight slot is freed.
 */
class DecisionBatcherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String[] ARGS = {"a"};

    /** Records every call and hands back a reply future the test completes. */
    private static final class ManualSender implements DecisionBatcher.Sender {
        final List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        final List<String[]> keys = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<List<Object>> send(LuaScript script, String[] k, String[] args) {
            CompletableFuture<List<Object>> reply = new CompletableFuture<>();
            replies.add(reply);
            keys.add(k);
            return reply;
        }

        synchronized int calls() {
            return replies.size();
        }
    }

    private static List<Object> batchReply(int requests) {
        List<Object> reply = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            reply.addAll(List.of(1L, 2L, 3L, 4L, (long) i));
        }
        return reply;
    }

    @Test
    void aRequestThatGivesUpFailsAloneAndTheRestOfItsBatchGetsTheReply() {
        ManualSender sender = new ManualSender();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, TIMEOUT);
        CompletableFuture<List<Object>> first = batcher.submit("k0", ARGS);      // goes out alone
        CompletableFuture<List<Object>> second = batcher.submit("k1", ARGS);     // queued
        CompletableFuture<List<Object>> third = batcher.submit("k2", ARGS);      // queued
        sender.replies.get(0).complete(List.of(1L, 2L, 3L, 4L));                 // sends k1+k2 as one batch
        assertThat(first).isCompletedWithValue(List.of(1L, 2L, 3L, 4L));
        assertThat(sender.calls()).isEqualTo(2);
        assertThat(sender.keys.get(1)).containsExactly("k1", "k2");

        second.completeExceptionally(new TimeoutException("gave up"));
        assertThat(third).isNotDone();

        sender.replies.get(1).complete(batchReply(2));
        assertThat(third.join()).containsExactly(1L, 2L, 3L, 4L, 1L);
        assertThat(second).isCompletedExceptionally();
    }

    @Test
    void aBatchWhoseRequestsAllGaveUpFreesItsSlotWhenRedisNeverAnswers() {
        ManualSender sender = new ManualSender();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, TIMEOUT);
        CompletableFuture<List<Object>> stuck = batcher.submit("k0", ARGS);
        stuck.completeExceptionally(new InterruptedException());               // its caller went away

        CompletableFuture<List<Object>> next = batcher.submit("k1", ARGS);
        assertThat(sender.calls()).as("the slot of the abandoned call was freed").isEqualTo(2);
        sender.replies.get(1).complete(List.of(5L));
        assertThat(next).isCompletedWithValue(List.of(5L));
    }

    @Test
    void aLongQueueOfCallsThatFailAtOnceNeitherOverflowsTheStackNorStrandsARequest() {
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        DecisionBatcher.Sender failing = (script, keys, args) -> {
            if (calls.isEmpty()) {
                CompletableFuture<List<Object>> first = new CompletableFuture<>();
                calls.add(first);
                return first;
            }
            throw new RedisException("connection refused");
        };
        DecisionBatcher batcher = new DecisionBatcher(failing, 1, 1, TIMEOUT);
        List<CompletableFuture<List<Object>>> requests = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            requests.add(batcher.submit("k" + i, ARGS));
        }
        calls.get(0).completeExceptionally(new RedisException("connection lost"));

        for (CompletableFuture<List<Object>> r : requests) {
            assertThat(r).isCompletedExceptionally();
        }
        assertThat(batcher.calls()).isEqualTo(100_000);
    }

    @Test
    void closingFailsTheQueuedRequestsAndLaterSubmissionsAtOnce() {
        ManualSender sender = new ManualSender();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, TIMEOUT);
        CompletableFuture<List<Object>> inFlight = batcher.submit("k0", ARGS);
        CompletableFuture<List<Object>> queued = batcher.submit("k1", ARGS);

        batcher.close();
        assertThat(queued).isCompletedExceptionally();
        assertThat(batcher.submit("k2", ARGS)).isCompletedExceptionally();
        assertThat(inFlight).isNotDone();

        sender.replies.get(0).complete(List.of(7L));
        assertThat(inFlight).isCompletedWithValue(List.of(7L));
        assertThat(sender.calls()).isEqualTo(1);
    }

    @Test
    void whenTheOldestQueuedRequestHasWaitedAQuarterOfTheTimeoutABatchGoesOutBeyondTheLimit() {
        ManualSender sender = new ManualSender();
        AtomicLong now = new AtomicLong();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, Duration.ofMillis(400), now::get);
        batcher.submit("k0", ARGS);                                               // holds the only slot
        CompletableFuture<List<Object>> waiting = batcher.submit("k1", ARGS);
        now.addAndGet(Duration.ofMillis(100).toNanos());                          // exactly a quarter: not yet
        batcher.submit("k2", ARGS);
        assertThat(sender.calls()).isEqualTo(1);

        now.incrementAndGet();
        batcher.submit("k3", ARGS);
        assertThat(sender.calls()).isEqualTo(2);
        assertThat(sender.keys.get(1)).containsExactly("k1", "k2", "k3");
        assertThat(waiting).isNotDone();
    }

    @Test
    void perSlotABatchOnlyEverHoldsKeysOfOneSlotAndSlotsDoNotWaitForEachOther() {
        ManualSender sender = new ManualSender();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, TIMEOUT, true);
        // {a} and {b} hash to different slots; each slot has its own in-flight budget
        assertThat(ScriptExecutor.slot("p{a}:x")).isNotEqualTo(ScriptExecutor.slot("p{b}:x"));
        batcher.submit("p{a}:x", ARGS);
        batcher.submit("p{b}:x", ARGS);
        assertThat(sender.calls()).as("a busy slot does not hold back another").isEqualTo(2);
        CompletableFuture<List<Object>> a1 = batcher.submit("p{a}:y", ARGS);
        CompletableFuture<List<Object>> b1 = batcher.submit("p{b}:y", ARGS);
        CompletableFuture<List<Object>> a2 = batcher.submit("p{a}:z", ARGS);
        assertThat(sender.calls()).isEqualTo(2);

        sender.replies.get(0).complete(List.of(1L, 1L, 0L, 0L, 0L));   // slot of {a} free: its queue goes
        assertThat(sender.keys.get(2)).containsExactly("p{a}:y", "p{a}:z");
        sender.replies.get(1).complete(List.of(1L, 1L, 0L, 0L, 0L));
        assertThat(sender.keys.get(3)).containsExactly("p{b}:y");
        for (String[] keys : sender.keys) {
            assertThat(java.util.Arrays.stream(keys).map(ScriptExecutor::slot).distinct()).as("slots of one call").hasSize(1);
        }
        sender.replies.get(2).complete(batchReply(2));
        sender.replies.get(3).complete(List.of(5L));
        assertThat(a1).isDone();
        assertThat(a2).isDone();
        assertThat(b1).isCompletedWithValue(List.of(5L));
    }

    @Test
    void aBatchRefusedWithTryAgainIsDecidedAgainKeyByKey() {
        ManualSender sender = new ManualSender();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, TIMEOUT, true);
        batcher.submit("p{a}:0", ARGS);                                       // alone, holds the slot
        CompletableFuture<List<Object>> x = batcher.submit("p{a}:x", ARGS);
        CompletableFuture<List<Object>> y = batcher.submit("p{a}:y", ARGS);
        sender.replies.get(0).complete(List.of(1L));                          // x and y go as one batch
        assertThat(sender.keys.get(1)).containsExactly("p{a}:x", "p{a}:y");

        sender.replies.get(1).completeExceptionally(new io.lettuce.core.RedisCommandExecutionException(
                "TRYAGAIN Multiple keys request during rehashing of slot"));
        assertThat(sender.calls()).isEqualTo(4);
        assertThat(sender.keys.get(2)).containsExactly("p{a}:x");
        assertThat(sender.keys.get(3)).containsExactly("p{a}:y");
        assertThat(x).isNotDone();
        sender.replies.get(2).complete(List.of(10L));
        sender.replies.get(3).complete(List.of(20L));
        assertThat(x).isCompletedWithValue(List.of(10L));
        assertThat(y).isCompletedWithValue(List.of(20L));
        assertThat(batcher.retriedAlone()).isEqualTo(2);
    }

    @Test
    void anotherBatchFailureFailsEveryRequestOfIt() {
        ManualSender sender = new ManualSender();
        DecisionBatcher batcher = new DecisionBatcher(sender, 1, 128, TIMEOUT, true);
        batcher.submit("p{a}:0", ARGS);
        CompletableFuture<List<Object>> x = batcher.submit("p{a}:x", ARGS);
        CompletableFuture<List<Object>> y = batcher.submit("p{a}:y", ARGS);
        sender.replies.get(0).complete(List.of(1L));
        sender.replies.get(1).completeExceptionally(new io.lettuce.core.RedisCommandExecutionException("CLUSTERDOWN"));
        assertThat(x).isCompletedExceptionally();
        assertThat(y).isCompletedExceptionally();
        assertThat(batcher.retriedAlone()).isZero();
    }
}
