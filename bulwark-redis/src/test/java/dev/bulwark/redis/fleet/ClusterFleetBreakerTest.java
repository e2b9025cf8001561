package dev.bulwark.redis.fleet;

import dev.bulwark.redis.support.RedisClusterAvailability;
import dev.bulwark.redis.support.RequiresRedisCluster;
import org.junit.jupiter.api.Test;

/**
 * The fleet's quorum and coordinated trials with the signals on the Redis Cluster: every key of the
 * fleet in one slot (its name is the hash tag), {@code PUBLISH} from the script reaching the
 * subscriber on whichever node it listens to.
 */
@RequiresRedisCluster
class ClusterFleetBreakerTest {

    @Test
    void oneInstancesFailuresOpenTheOthersAndTheFleetSendsOnlyOneInstancesTrials() throws Exception {
        FleetScenarios.oneInstanceOpensTheFleetAndTheFleetSendsOneInstancesTrials(
                "cluster:" + String.join(",", RedisClusterAvailability.SEEDS), "cluster");
    }
}
