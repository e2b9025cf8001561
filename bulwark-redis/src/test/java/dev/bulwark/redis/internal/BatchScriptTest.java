package dev.bulwark.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batch script decides each request of a batch exactly as the single-decision script does when
 * the same requests are sent one by one in the same order: same replies, same state left in Redis.
 * Batches mix keys (repeated ones too), rules of every algorithm, multi-rule checks, costs, peeks
 * and a hand-over to the exact script. Client time, so both runs see the same times.
 */
@RequiresRedis
class BatchScriptTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final List<List<RateLimit>> RULE_SETS = List.of(
            List.of(RateLimit.of(5, SECOND, Algorithm.FIXED_WINDOW)),
            List.of(RateLimit.of(7, SECOND, Algorithm.SLIDING_WINDOW)),
            List.of(RateLimit.of(6, SECOND, Algorithm.TOKEN_BUCKET)),
            List.of(RateLimit.of(4, SECOND, Algorithm.GCRA)),
            List.of(RateLimit.of(3, SECOND, Algorithm.LEAKY_BUCKET)),
            List.of(RateLimit.of(8, SECOND, Algorithm.TOKEN_BUCKET), RateLimit.of(12, Duration.ofSeconds(3), Algorithm.SLIDING_WINDOW)),
            List.of(RateLimit.of(0, SECOND, Algorithm.FIXED_WINDOW)));

    private final TestRedis redis = new TestRedis();
    private final ScriptExecutor executor = new ScriptExecutor(RedisURI.create(RedisAvailability.URI), null,
            Duration.ofSeconds(2), Duration.ofSeconds(5));
    private final LimitScriptProtocol protocol = LimitScriptProtocol.clientTime();

    @AfterEach
    void close() {
        executor.close();
        redis.close();
    }

    private record Request(String key, String[] args) {
    }

    @Test
    void aBatchDecidesEachRequestAsTheSingleScriptDoesOneByOne() {
        Random random = new Random(42);
        String batched = redis.prefix() + "batched:";
        String single = redis.prefix() + "single:";
        long now = 1_000_000_000_000L;
        int compared = 0;
        for (int round = 0; round < 60; round++) {
            now += random.nextInt(400_000_000);
            int size = 1 + random.nextInt(40);
            List<Request> requests = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String key = "k" + random.nextInt(4) + ":" + random.nextInt(RULE_SETS.size());
                List<RateLimit> rules = RULE_SETS.get(Integer.parseInt(key.substring(key.indexOf(':') + 1)));
                boolean record = random.nextInt(5) != 0;
                long cost = 1 + random.nextInt(3);
                long time = now + random.nextInt(1_000);  // each request its own client time
                requests.add(new Request(key, protocol.decisionArgs(record, cost, time, rules)));
            }
            if (round % 10 == 9) {
                // beyond the fast script's exact range: handed over, in the batch as alone
                requests.add(size / 2, new Request("k-big:0",
                        protocol.decisionArgs(true, 1, 1L << 52, RULE_SETS.get(0))));
            }

            String[] keys = new String[requests.size()];
            List<String[]> args = new ArrayList<>();
            for (int i = 0; i < keys.length; i++) {
                keys[i] = batched + requests.get(i).key;
                args.add(requests.get(i).args);
            }
            List<List<Object>> replies = LimitScriptProtocol.splitBatchReply(
                    executor.run(LimitScriptProtocol.BATCH, keys, LimitScriptProtocol.batchArgs(args)).join(),
                    requests.size());

            for (int i = 0; i < requests.size(); i++) {
                Request r = requests.get(i);
                List<Object> alone = executor.runSync(LimitScriptProtocol.FAST, single + r.key, r.args);
                if (LimitScriptProtocol.isHandover(alone)) {
                    assertThat(LimitScriptProtocol.isHandover(replies.get(i))).as("request %d of round %d", i, round).isTrue();
                } else {
                    assertThat(replies.get(i)).as("request %d of round %d", i, round).containsExactlyElementsOf(alone);
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(1_000);
        for (String key : redis.keys()) {
            if (key.startsWith(batched)) {
                String twin = single + key.substring(batched.length());
                Map<String, String> a = redis.commands().hgetall(key);
                assertThat(a).as(key).isEqualTo(redis.commands().hgetall(twin));
            }
        }
    }

    @Test
    void anErrorOnOneKeyFailsOnlyThatRequestOfTheBatch() {
        List<RateLimit> rules = RULE_SETS.get(2);
        redis.commands().set(redis.prefix() + "not-a-hash", "x");
        String[] keys = {redis.prefix() + "a", redis.prefix() + "not-a-hash", redis.prefix() + "a"};
        List<String[]> args = List.of(protocol.decisionArgs(true, 1, 5_000_000_000L, rules),
                protocol.decisionArgs(true, 1, 5_000_000_000L, rules),
                protocol.decisionArgs(true, 1, 5_000_000_000L, rules));

        List<List<Object>> replies = LimitScriptProtocol.splitBatchReply(
                executor.run(LimitScriptProtocol.BATCH, keys, LimitScriptProtocol.batchArgs(args)).join(), 3);

        assertThat(replies.get(0)).containsExactly(1L, 1L, 5L, 0L, 166_666_667L);
        assertThat(LimitScriptProtocol.isBatchError(replies.get(1))).isTrue();
        assertThat(String.valueOf(replies.get(1).get(1))).contains("WRONGTYPE");
        assertThat(replies.get(2)).containsExactly(1L, 1L, 4L, 0L, 333_333_334L);
    }
}
