/**
 * Bulwark on Redis: a {@code LimitStore} shared by a fleet of processes, installed into an
 * {@code Infrastructure} as a module ({@code RedisLimitStore.builder()...asModule()}).
 */
module dev.bulwark.redis {
    requires transitive dev.bulwark.core;
    requires lettuce.core;

    exports dev.bulwark.redis;
}
