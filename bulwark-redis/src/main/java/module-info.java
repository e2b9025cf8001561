/**
 * Bulwark on Redis: a {@code LimitStore} shared by a fleet of processes, on one Redis server or a
 * Redis Cluster ({@code RedisLimitStore.builder()...asModule()}), and fleet-wide breaker signals
 * ({@code FleetBreakers.builder()...asModule()}).
 */
module dev.bulwark.redis {
    requires transitive dev.bulwark.core;
    requires lettuce.core;

    exports dev.bulwark.redis;
}
