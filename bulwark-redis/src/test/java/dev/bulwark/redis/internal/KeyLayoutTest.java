package dev.bulwark.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {

    private final KeyLayout layout = new KeyLayout("app:rl:");

    @Test
    void theEntityIsTheHashTagAndTheOperationFollows() {
        assertThat(layout.key("user-42", "search")).isEqualTo("app:rl:{user-42}:search");
    }

    @Test
    void separatorsAndBracesInNamesAreEscapedSoDifferentPairsNeverShareAKey() {
        assertThat(layout.key("a:b", "c")).isNotEqualTo(layout.key("a", "b:c"));
        assertThat(layout.key("a}:{b", "c")).isNotEqualTo(layout.key("a", "b}:{c"));
        assertThat(layout.key("a\\", ":b")).isNotEqualTo(layout.key("a\\:", "b"));
        assertThat(layout.key("x}y", "op")).isEqualTo("app:rl:{x\\}y}:op");
    }

    @Test
    void everyKeyOfOneEntityLandsInOneClusterSlotEvenWithBracesInIt() {
        for (String entity : new String[] {"user:1", "we}ird{", "", "日本"}) {
            assertThat(SlotHash.getSlot(layout.key(entity, "login")))
                    .as(entity).isEqualTo(SlotHash.getSlot(layout.key(entity, "upload")));
        }
    }

    @Test
    void aPrefixWithBracesIsRejectedWithItsValue() {
        assertThatThrownBy(() -> new KeyLayout("rl:{x}:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rl:{x}:");
    }

    @Test
    void theScanPatternMatchesThePrefixLiterally() {
        assertThat(KeyLayout.scanPattern("a*b?[c]:")).isEqualTo("a\\*b\\?\\[c\\]:*");
    }
}
