/**
 * Bulwark on Redis: a {@code LimitStore} shared by a fleet of processes, installed into an
 * {@code Infrastructure} as a module ({@code RedisLimitStore.builder()...asModule()}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Lettuce ships as an automatic module (a stable Automatic-Module-Name)
module dev.bulwark.redis {
    requires transitive dev.bulwark.core;
    requires transitive lettuce.core; // the builder takes Lettuce's ClientResources

    exports dev.bulwark.redis;
}
