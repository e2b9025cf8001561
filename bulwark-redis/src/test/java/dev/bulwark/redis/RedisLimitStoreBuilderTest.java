package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder refuses bad settings at once, with the bad value in the message. */
class RedisLimitStoreBuilderTest {

    private final RedisLimitStore.Builder builder = RedisLimitStore.builder();

    @Test
    void aMalformedUriIsRejected() {
        assertThatThrownBy(() -> builder.uri("http://not-redis")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://not-redis");
    }

    @Test
    void timeoutsMustBePositive() {
        assertThatThrownBy(() -> builder.commandTimeout(Duration.ZERO)).hasMessageContaining("commandTimeout")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofMillis(-5))).hasMessageContaining("connectTimeout")
                .hasMessageContaining("PT-0.005S");
    }

    @Test
    void timeoutsTooLargeForNanosecondsAreRejectedWhenSet() {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE / 2);
        assertThatThrownBy(() -> builder.commandTimeout(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout").hasMessageContaining(huge.toString()).hasMessageContaining("365 days");
        assertThatThrownBy(() -> builder.connectTimeout(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout");
    }

    @Test
    void aKeyPrefixMustNotCaptureTheHashTag() {
        assertThatThrownBy(() -> builder.keyPrefix("app:{rl}:")).hasMessageContaining("app:{rl}:");
        assertThatThrownBy(() -> builder.keyPrefix(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDenyCacheCapacityIsBounded() {
        assertThatThrownBy(() -> builder.denyCacheCapacity(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> builder.denyCacheCapacity(1 << 25)).hasMessageContaining(Integer.toString(1 << 25));
    }

    @Test
    void theBatchSettingsAreBounded() {
        assertThatThrownBy(() -> builder.maxBatchesInFlight(0)).hasMessageContaining("maxBatchesInFlight")
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> builder.maxBatchesInFlight(65)).hasMessageContaining("was 65");
        assertThatThrownBy(() -> builder.maxBatchSize(0)).hasMessageContaining("maxBatchSize").hasMessageContaining("was 0");
        assertThatThrownBy(() -> builder.maxBatchSize(1025)).hasMessageContaining("was 1025");
        builder.batching(false).maxBatchesInFlight(1).maxBatchSize(1).maxBatchesInFlight(64).maxBatchSize(1024);
    }

    @Test
    void anOperationPolicyNeedsAnOperationAndAPolicy() {
        assertThatThrownBy(() -> builder.failurePolicy("", FailurePolicy.FAIL_OPEN)).hasMessageContaining("operation");
        assertThatThrownBy(() -> builder.failurePolicy("login", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.circuitBreakerName(" ")).hasMessageContaining("' '");
    }

    @Test
    void aClusterNeedsSeedsThatParseAndNameDatabaseZero() {
        assertThatThrownBy(() -> builder.cluster()).hasMessage("cluster needs at least one seed URI, was []");
        assertThatThrownBy(() -> builder.cluster(java.util.List.of())).hasMessage("cluster needs at least one seed URI, was []");
        assertThatThrownBy(() -> builder.cluster("redis://127.0.0.1:7301", "nonsense://x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nonsense://x'");
        assertThatThrownBy(() -> builder.cluster("redis://127.0.0.1:7301/3"))
                .hasMessage("a Redis Cluster has only database 0, but the seed 'redis://127.0.0.1:7301/3' names database 3");
        assertThatThrownBy(() -> builder.cluster((String[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.topologyRefreshPeriod(Duration.ZERO)).hasMessageContaining("topologyRefreshPeriod")
                .hasMessageContaining("PT0S");
    }
}
