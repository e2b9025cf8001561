package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitEventMetadataTest {

    @Test
    void isTheSameMapAsTheSixEntriesItStandsFor() {
        RateLimit rule = RateLimit.of("search", 100, Duration.ofSeconds(2));
        Map<String, Object> metadata = new LimitEventMetadata("user:1", "api", rule);
        Map<String, Object> expected = Map.of("entity_id", "user:1", "operation", "api", "rule", "search",
                "limit", 100L, "window_ms", 2000L, "algorithm", LimitEventMetadata.algorithmName(rule.algorithm()));
        assertThat(metadata).isEqualTo(expected).hasSameHashCodeAs(expected);
        assertThat(expected).isEqualTo(metadata);
        assertThat(metadata.get("operation")).isEqualTo("api");
        assertThat(metadata.get("nope")).isNull();
        assertThat(metadata.get(42)).isNull();
        assertThat(metadata.containsKey("limit")).isTrue();
        assertThat(new HashMap<>(metadata)).isEqualTo(expected);
        assertThat(Map.copyOf(metadata)).isEqualTo(expected);
        assertThat(LimitEventMetadata.algorithmName(Algorithm.SLIDING_WINDOW)).isEqualTo("sliding_window");
        assertThatThrownBy(() -> metadata.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(metadata::clear).isInstanceOf(UnsupportedOperationException.class);
    }
}
