/**
 * Bulwark's components as Micrometer meters with bounded cardinality: installed into an
 * {@code Infrastructure} as a module ({@code BulwarkMetrics.bindTo(registry)}).
 */
module dev.bulwark.micrometer {
    requires transitive dev.bulwark.core;
    requires transitive micrometer.core;
    requires static dev.bulwark.pool;   // pool meters only when bulwark-pool is present

    exports dev.bulwark.micrometer;
}
