/**
 * Bulwark on Redis: a {@link dev.bulwark.ratelimit.LimitStore} shared by every process of a fleet,
 * one atomic Lua script per decision, on Lettuce.
 */
module dev.bulwark.redis {
    requires transitive dev.bulwark.core;
    requires lettuce.core;

    exports dev.bulwark.redis;
}
