/**
 * Bulwark's components as Micrometer meters with bounded cardinality: installed into an
 * {@code Infrastructure} as a module ({@code BulwarkMetrics.bindTo(registry)}).
 */
module dev.bulwark.micrometer {
    requires transitive dev.bulwark.core;
    requires transitive micrometer.core;

    exports dev.bulwark.micrometer;
}
