package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FleetQuorumTest {

    @Test
    void aCountRuleFiresAtThatManyOpenInstances() {
        FleetQuorum two = FleetQuorum.instances(2).within(Duration.ofSeconds(5));
        assertThat(two.isMetBy(1, 3)).isFalse();
        assertThat(two.isMetBy(2, 3)).isTrue();
        assertThat(two.isMetBy(2, 100)).isTrue();
        assertThat(two.isMetBy(0, 0)).isFalse();
    }

    @Test
    void aShareRuleFiresAtThatShareOfTheLiveInstances() {
        FleetQuorum half = FleetQuorum.percent(50);
        assertThat(half.isMetBy(1, 3)).isFalse();
        assertThat(half.isMetBy(2, 4)).isTrue();
        assertThat(half.isMetBy(1, 2)).isTrue();
        assertThat(half.isMetBy(0, 2)).as("nobody open").isFalse();
        assertThat(half.isMetBy(1, 0)).as("no live instance known").isFalse();
    }

    @Test
    void eitherRuleFires() {
        FleetQuorum q = FleetQuorum.instances(3).orPercent(25).within(Duration.ofSeconds(10));
        assertThat(q.isMetBy(1, 4)).as("25 % of 4").isTrue();
        assertThat(q.isMetBy(3, 100)).as("3 instances").isTrue();
        assertThat(q.isMetBy(2, 100)).isFalse();
    }

    @Test
    void equalRulesAreEqualValues() {
        assertThat(FleetQuorum.instances(2).within(Duration.ofSeconds(10))).isEqualTo(FleetQuorum.DEFAULT)
                .hasSameHashCodeAs(FleetQuorum.DEFAULT);
        assertThat(FleetQuorum.instances(2).orPercent(10)).isNotEqualTo(FleetQuorum.DEFAULT);
        assertThat(FleetQuorum.DEFAULT).hasToString("FleetQuorum[2 instances within PT10S]");
    }

    @Test
    void badRulesAreRefusedWithTheirValue() {
        assertThatThrownBy(() -> FleetQuorum.instances(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instances must be >= 1, was 0");
        assertThatThrownBy(() -> FleetQuorum.percent(101)).hasMessage("percent must be in (0, 100], was 101.0");
        assertThatThrownBy(() -> FleetQuorum.percent(Double.NaN)).hasMessage("percent must be in (0, 100], was NaN");
        assertThatThrownBy(() -> new FleetQuorum(0, 0, Duration.ofSeconds(1)))
                .hasMessage("a quorum needs instances > 0 or percent > 0, was both 0");
        assertThatThrownBy(() -> FleetQuorum.instances(1).within(Duration.ZERO)).hasMessage("within must be positive, was PT0S");
        assertThatThrownBy(() -> FleetQuorum.instances(1).within(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("within");
    }
}
