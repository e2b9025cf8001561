/**
 * Bulwark on Redis: a {@code LimitStore} shared by a fleet of processes, on one Redis server or a
 * Redis Cluster ({@code RedisLimitStore.builder()...asModule()}), and fleet-wide breaker signals
 * ({@code FleetBreakers.builder()...asModule()}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Lettuce ships as an automatic module (a stable Automatic-Module-Name)
module dev.bulwark.redis {
    requires transitive dev.bulwark.core;
    requires transitive lettuce.core; // the builder takes Lettuce's ClientResources

    exports dev.bulwark.redis;
}
