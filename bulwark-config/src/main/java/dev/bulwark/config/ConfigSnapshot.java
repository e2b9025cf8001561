package dev.bulwark.config;

import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.config.internal.Binder;
import dev.bulwark.config.internal.ConfigPath;
import dev.bulwark.config.internal.Names;
import dev.bulwark.config.internal.Problems;
import dev.bulwark.config.internal.SnapshotBuilder;
import dev.bulwark.config.model.BulwarkSettings;
import dev.bulwark.config.tree.ConfigTrees;
import dev.bulwark.config.tree.MapNode;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.memory.MemoryConfig;
import dev.bulwark.ratelimit.RateLimit;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One configuration, validated and built into core's configurations by the same builders an
 * application would call: for equal text, equal {@link Protection}s, {@link CircuitBreakerConfig}s,
 * {@link RateLimit}s, {@link HealthConfig} and {@link MemoryConfig} (value equality), so that applying it again keeps every state
 * (docs/config.md, "Reload").
 *
 * <pre>{@code
 * ConfigSnapshot snapshot = ConfigSnapshot.parse(Files.readString(path), ConfigFormat.YAML, "bulwark.yaml");
 * Protection inventory = snapshot.protections().get("inventory");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigSnapshot {

    private final String source;
    private final BulwarkSettings settings;
    private final SnapshotBuilder.Built built;
    private final Map<String, Object> extraSections;

    private ConfigSnapshot(String source, BulwarkSettings settings, SnapshotBuilder.Built built,
                           Map<String, Object> extraSections) {
        this.source = source;
        this.settings = settings;
        this.built = built;
        this.extraSections = extraSections;
    }

    /** An empty configuration: nothing configured. */
    public static ConfigSnapshot empty(String source) {
        return new ConfigSnapshot(source, BulwarkSettings.empty(), SnapshotBuilder.Built.empty(), Map.of());
    }

    /**
     * Parses, validates and builds {@code text}.
     *
     * @param source how messages name the text, e.g. {@code bulwark.yaml}
     * @throws ConfigException with every problem found
     */
    public static ConfigSnapshot parse(String text, ConfigFormat format, String source) {
        Objects.requireNonNull(text, "text");
        return bind(ConfigTrees.parse(text, format, source), source, PathStyle.FILE, Map.of(),
                ConfigSnapshot.class.getClassLoader());
    }

    /**
     * Validates and builds a tree (read from text by {@link ConfigTrees}, or assembled from flat
     * properties).
     *
     * @param source        how the summary message names the source
     * @param style         how messages write paths and names
     * @param extraSections top-level sections besides the core schema's, each bound to its record
     *                      type (the Spring Boot starter's {@code web}); see {@link #section}
     * @param classLoader   where exception classes named by breakers are looked up
     * @throws ConfigException with every problem found
     */
    public static ConfigSnapshot bind(MapNode tree, String source, PathStyle style, Map<String, Class<?>> extraSections,
                                      ClassLoader classLoader) {
        Problems problems = new Problems(style);
        Binder binder = new Binder(problems);
        List<String> known = new ArrayList<>();
        for (RecordComponent c : BulwarkSettings.class.getRecordComponents()) {
            known.add(c.getName());
        }
        List<MapNode.Entry> core = new ArrayList<>();
        Map<String, Object> extras = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(known);
        all.addAll(extraSections.keySet());
        for (MapNode.Entry e : tree.entries()) {
            String normal = Names.normal(e.key());
            String extra = extraSections.keySet().stream().filter(k -> Names.normal(k).equals(normal)).findFirst().orElse(null);
            if (extra != null) {
                Object bound = binder.bind(e.value(), extraSections.get(extra), ConfigPath.ROOT.field(extra));
                if (bound != null) {
                    extras.put(extra, bound);
                }
            } else if (known.stream().anyMatch(k -> Names.normal(k).equals(normal))) {
                core.add(e);
            } else {
                problems.unknownKey(ConfigPath.ROOT, e.key(), e.keyLocation(), all);
            }
        }
        BulwarkSettings settings = binder.bind(new MapNode(core, tree.location()), BulwarkSettings.class, ConfigPath.ROOT);
        if (settings == null) {
            settings = BulwarkSettings.empty();
        }
        SnapshotBuilder.Built built = new SnapshotBuilder(binder, classLoader).build(settings);
        if (!problems.isEmpty()) {
            throw problems.exception(source);
        }
        return new ConfigSnapshot(source, settings, built, Collections.unmodifiableMap(extras));
    }

    /** The source this configuration was read from. */
    public String source() {
        return source;
    }

    /** The settings as written (checked for shape and type), for the sections without a core configuration. */
    public BulwarkSettings settings() {
        return settings;
    }

    /** The breakers of {@code circuitBreakers}, by name, in source order. */
    public Map<String, CircuitBreakerConfig> circuitBreakers() {
        return built.circuitBreakers();
    }

    /**
     * The breakers marked {@code critical: true} and those listed in {@code health.criticalBreakers}:
     * while one of them is open, readiness is DOWN. Sorted.
     */
    public Set<String> criticalBreakers() {
        return built.criticalBreakers();
    }

    /**
     * The health registry's configuration of the {@code health} section, with every critical
     * breaker ({@link #criticalBreakers()}); {@code HealthConfig.defaults()} plus those breakers when
     * the section is left out.
     */
    public HealthConfig health() {
        return built.health();
    }

    /** The memory monitor's configuration of the {@code memory} section; {@code MemoryConfig.defaults()} when it is left out. */
    public MemoryConfig memory() {
        return built.memory();
    }

    /** The rules of {@code rateLimits}, by name (each named so, as in the {@code RateLimit-Policy} header). */
    public Map<String, RateLimit> rateLimits() {
        return built.rateLimits();
    }

    /** The protections of {@code protections}, by key, in source order. */
    public Map<String, Protection> protections() {
        return built.protections();
    }

    /** bulwark-pool's {@code PoolConfig}s of the {@code pools} section by name (typed Object: that module is optional). */
    Map<String, Object> poolConfigs() {
        return built.pools();
    }

    /** The bound record of an extra top-level section (see {@link #bind}), or null when it was not written. */
    public <T> T section(String name, Class<T> type) {
        Object value = extraSections.get(name);
        return value == null ? null : type.cast(value);
    }

    /** Equal when every section is. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigSnapshot s && settings.equals(s.settings) && built.equals(s.built)
                && extraSections.equals(s.extraSections);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, built, extraSections);
    }

    @Override
    public String toString() {
        return "ConfigSnapshot[" + source + ": " + protections().size() + " protections, " + circuitBreakers().size()
                + " circuit breakers, " + rateLimits().size() + " rate-limit rules]";
    }
}
