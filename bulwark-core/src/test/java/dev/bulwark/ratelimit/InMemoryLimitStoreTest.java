package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the in-memory store adds to the conformance suite: expiry, memory reclaiming, the key bound. */
class InMemoryLimitStoreTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();

    private InMemoryLimitStore store(long maxKeys) {
        return InMemoryLimitStore.builder().clock(clock).maxKeys(maxKeys).build();
    }

    // ------------------------------------------------------------------ expiry

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void idleKeysExpireAndASweepFreesThem(Algorithm algorithm) {
        InMemoryLimitStore store = store(100);
        RateLimit rule = RateLimit.of(5, WINDOW, algorithm);
        store.tryAcquire("a", "op", rule, 1);
        store.tryAcquire("b", "op", rule, 1);

        assertThat(store.sweepExpired()).isZero();
        assertThat(store.keyCount()).isEqualTo(2);

        clock.advance(WINDOW.multipliedBy(2));
        assertThat(store.inspect("a", "op")).isEmpty();
        assertThat(store.sweepExpired()).isEqualTo(2);
        assertThat(store.keyCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aSweepNeverChangesADecision(Algorithm algorithm) {
        RateLimit rule = RateLimit.of(3, WINDOW, algorithm);
        InMemoryLimitStore swept = store(100);
        InMemoryLimitStore untouched = store(100);
        long step = WINDOW.toNanos() / 7;
        for (int i = 0; i < 60; i++) {
            assertThat(swept.acquire("k", "op", List.of(rule), 1 + i % 2))
                    .isEqualTo(untouched.acquire("k", "op", List.of(rule), 1 + i % 2));
            swept.sweepExpired();
            clock.advanceNanos(step * (i % 5));
        }
    }

    @Test
    void sweepingShrinksTheTablesAfterAMassExpiry() {
        InMemoryLimitStore store = store(1_000_000);
        RateLimit rule = RateLimit.of(5, WINDOW);
        long empty = 0;
        store.tryAcquire("seed", "op", rule, 1);
        empty = store.slotCapacity();
        for (int i = 0; i < 20_000; i++) {
            store.tryAcquire("user-" + i, "op", rule, 1);
        }
        assertThat(store.slotCapacity()).isGreaterThanOrEqualTo(20_000).isLessThan(60_000);

        clock.advance(WINDOW.multipliedBy(2));
        assertThat(store.sweepExpired()).isEqualTo(20_001);
        assertThat(store.slotCapacity()).isEqualTo(empty);
    }

    @Test
    void manyKeysKeepExactStateThroughEveryResize() {
        InMemoryLimitStore store = store(1_000_000);
        RateLimit twice = RateLimit.of(2, WINDOW, Algorithm.FIXED_WINDOW);
        int keys = 30_000;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < keys; i++) {
                boolean admitted = store.tryAcquire("user-" + i, "op-" + (i % 3), twice, 1) == 0;
                assertThat(admitted).as("round %d key %d", round, i).isEqualTo(round < 2);
            }
        }
        assertThat(store.keyCount()).isEqualTo(keys);
        assertThat(store.reset("user-7", "op-1")).isTrue();
        assertThat(store.tryAcquire("user-7", "op-1", twice, 1)).isZero();
    }

    // ------------------------------------------------------------------ the key bound

    @Test
    void atTheBoundANewKeyIsDeniedAndExistingKeysKeepTheirExactState() {
        InMemoryLimitStore store = store(3);
        RateLimit rule = RateLimit.of("api", 2, WINDOW, Algorithm.FIXED_WINDOW);
        for (String key : List.of("a", "b", "c")) {
            assertThat(store.tryAcquire(key, "op", rule, 1)).isZero();
        }

        Decision refused = store.acquire("d", "op", List.of(rule), 1);
        assertThat(refused).isEqualTo(Decision.refused(rule, WINDOW.toNanos(), Decision.KEY_BOUND));
        assertThat(store.tryAcquire("e", "op", rule, 1)).isEqualTo(WINDOW.toNanos());
        assertThat(store.keyCount()).isEqualTo(3);
        assertThat(store.keyBoundRefusals()).isEqualTo(2);

        assertThat(store.tryAcquire("a", "op", rule, 1)).isZero();
        assertThat(store.tryAcquire("a", "op", rule, 1)).isPositive();
    }

    @Test
    void atTheBoundExpiredKeysAreReclaimedWithoutWaitingForTheSweep() {
        InMemoryLimitStore store = store(3);
        RateLimit rule = RateLimit.of("api", 2, WINDOW, Algorithm.GCRA);
        for (String key : List.of("a", "b", "c")) {
            store.tryAcquire(key, "op", rule, 1);
        }
        assertThat(store.tryAcquire("d", "op", rule, 1)).isPositive();

        clock.advance(WINDOW); // every state has drained: all three expired
        assertThat(store.tryAcquire("d", "op", rule, 1)).isZero();
        assertThat(store.keyCount()).isEqualTo(1);
    }

    @Test
    void aRefusedKeyIsToldToWaitForTheRulesExpiryHorizon() {
        InMemoryLimitStore store = store(1);
        store.tryAcquire("a", "op", RateLimit.of(1, WINDOW), 1);
        assertThat(store.tryAcquire("b", "op", RateLimit.of(1, WINDOW), 1)).isEqualTo(2 * WINDOW.toNanos());
        assertThat(store.tryAcquire("b", "op", RateLimit.of(1, WINDOW, Algorithm.TOKEN_BUCKET), 1)).isEqualTo(WINDOW.toNanos());
        assertThat(store.tryAcquire("b", "op", RateLimit.of(3, WINDOW, Algorithm.LEAKY_BUCKET), 1))
                .isEqualTo(3 * 3_333_333_334L);
    }

    @Test
    void severalRulesAtTheBoundRecordNothing() {
        InMemoryLimitStore store = store(1);
        RateLimit perSecond = RateLimit.of("s", 5, Duration.ofSeconds(1));
        RateLimit perMinute = RateLimit.of("m", 50, Duration.ofMinutes(1));
        store.tryAcquire("a", "op", perSecond, 1);

        Decision refused = store.acquire("a", "op", List.of(perSecond, perMinute), 1);
        assertThat(refused.allowed()).isFalse();
        assertThat(store.peek("a", "op", List.of(perSecond)).remaining()).isEqualTo(4);
    }

    @Test
    void keysWhoseHashesCollideAreCappedSoLookupsStayShort() {
        InMemoryLimitStore store = store(1_000);
        RateLimit rule = RateLimit.of(5, WINDOW);
        List<String> colliding = CollidingStrings.of(5); // 32 strings with one String.hashCode
        int admitted = 0;
        for (String entity : colliding) {
            admitted += store.tryAcquire(entity, "op", rule, 1) == 0 ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(KeyTable.MAX_SAME_HASH);
        assertThat(store.hashFloodRefusals()).isEqualTo(colliding.size() - KeyTable.MAX_SAME_HASH);
        assertThat(store.tryAcquire("an ordinary key", "op", rule, 1)).isZero();
        assertThat(store.tryAcquire(colliding.get(0), "op", rule, 1)).isZero();
    }

    // ------------------------------------------------------------------ misc

    @Test
    void closingDropsEveryStateAndLaterDecisionsAnswer2102() {
        InMemoryLimitStore store = store(10);
        RateLimit once = RateLimit.of(1, WINDOW);
        store.tryAcquire("a", "op", once, 1);
        store.close();
        assertThat(store.keyCount()).isZero();
        assertThatThrownBy(() -> store.tryAcquire("a", "op", once, 1))
                .isInstanceOfSatisfying(dev.bulwark.error.InfraException.class, e -> assertThat(e.code()).isEqualTo(2102));
    }

    @Test
    void theBuilderRejectsANonPositiveBound() {
        assertThatThrownBy(() -> InMemoryLimitStore.builder().maxKeys(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    }

    @Test
    void anInvalidCostIsRejectedOnThePrimitivePath() {
        InMemoryLimitStore store = store(10);
        assertThatThrownBy(() -> store.tryAcquire("a", "op", RateLimit.of(1, WINDOW), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost").hasMessageContaining("0");
        assertThatThrownBy(() -> store.tryAcquire(null, "op", RateLimit.of(1, WINDOW), 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("entityId");
    }
}
