/**
 * Bulwark configured from YAML or JSON files: named protections, circuit breakers, rate-limit
 * rules, the Redis store, pools and the infrastructure's settings, validated with paths and lines,
 * overridable from the environment, hot-reloaded ({@code BulwarkConfig.fromFile(path)...}).
 */
module dev.bulwark.config {
    requires transitive dev.bulwark.core;
    requires tools.jackson.core;
    requires tools.jackson.dataformat.yaml;
    requires static dev.bulwark.redis;
    requires static dev.bulwark.pool;

    exports dev.bulwark.config;
    exports dev.bulwark.config.model;
    exports dev.bulwark.config.tree;
}
