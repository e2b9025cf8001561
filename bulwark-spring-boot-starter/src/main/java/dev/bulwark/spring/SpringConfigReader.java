package dev.bulwark.spring;

import dev.bulwark.config.ConfigSnapshot;
import dev.bulwark.config.PathStyle;
import dev.bulwark.config.model.Doc;
import dev.bulwark.config.tree.ConfigTrees;
import dev.bulwark.config.tree.Location;
import dev.bulwark.config.tree.MapNode;
import dev.bulwark.config.tree.ScalarNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Reads {@code bulwark.*} from a Spring environment into bulwark-config's schema, so that files and
 * Spring properties are one schema with one validation: every property (from
 * {@code application.yaml}, {@code .properties}, environment variables, system properties, in
 * Spring's order of precedence) is set into one tree with its origin (file and line), which
 * bulwark-config binds and builds, reporting each problem with its property name and line and
 * each unknown key with the nearest valid name.
 */
final class SpringConfigReader {

    /** How events, status and messages name the source. */
    static final String SOURCE = "Spring environment";
    /** Starter switches under {@code bulwark.} that are not part of the schema. */
    static final Set<String> SWITCHES = Set.of("enabled");

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("bulwark");

    private SpringConfigReader() {
    }

    /**
     * @throws dev.bulwark.config.ConfigException with every problem
     */
    static ConfigSnapshot read(ConfigurableEnvironment environment, ClassLoader classLoader) {
        MapNode tree = MapNode.empty(Location.of(SOURCE));
        Set<String> seen = new HashSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            List<ConfigurationPropertyName> names = iterable.stream().filter(ROOT::isAncestorOf).toList();
            for (ConfigurationPropertyName name : names) {
                List<String> tokens = new ArrayList<>();
                for (int i = 1; i < name.getNumberOfElements(); i++) {
                    String element = name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL);
                    tokens.add(name.isNumericIndex(i) ? "[" + element + "]" : element);
                }
                if (tokens.size() == 1 && SWITCHES.contains(ConfigTrees.normalKey(tokens.get(0)))) {
                    continue;
                }
                String normalPath = String.join(".", tokens.stream().map(ConfigTrees::normalKey).toList());
                if (!seen.add(normalPath)) {
                    continue;                           // a source of higher precedence set it already
                }
                ConfigurationProperty property = source.getConfigurationProperty(name);
                if (property == null || property.getValue() == null) {
                    continue;
                }
                ScalarNode value = new ScalarNode(scalar(property.getValue()), location(property, name));
                tree = ConfigTrees.set(tree, Root.class, tokens, null, value);
            }
        }
        return ConfigSnapshot.bind(tree, SOURCE, PathStyle.SPRING, Map.of("web", WebSettings.class), classLoader);
    }

    private static Object scalar(Object value) {
        Object v = value instanceof OriginTrackedValue tracked ? tracked.getValue() : value;
        if (v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        return String.valueOf(v);
    }

    private static Location location(ConfigurationProperty property, ConfigurationPropertyName name) {
        Origin origin = property.getOrigin();
        if (origin instanceof TextResourceOrigin text && text.getLocation() != null) {
            String resource = text.getResource() != null ? text.getResource().getDescription() : "property " + name;
            return Location.at(resource, text.getLocation().getLine() + 1, text.getLocation().getColumn() + 1);
        }
        if (origin != null) {
            return Location.of(origin.toString());
        }
        return Location.of("property " + name + " of " + property.getSource());
    }

    /** The schema of {@code bulwark.*}: bulwark-config's sections and the starter's {@code web}. */
    record Root(
            @Doc("Settings of the infrastructure itself, applied when it is built.")
            dev.bulwark.config.model.InfrastructureSettings infrastructure,
            @Doc("The Redis limit store (module bulwark-redis): rate limits shared by a fleet of processes.")
            dev.bulwark.config.model.RedisSettings redis,
            @Doc("The health registry: check timeout and TTL, critical breakers, the key-bound warning.")
            dev.bulwark.config.model.HealthSettings health,
            @Doc("The memory monitor's thresholds (shares of the heap in use after collection) and hysteresis.")
            dev.bulwark.config.model.MemorySettings memory,
            @Doc("Circuit breakers by name.")
            Map<String, dev.bulwark.config.model.CircuitBreakerSettings> circuitBreakers,
            @Doc("Named rate-limit rules, referenced by protections and the HTTP filter.")
            Map<String, dev.bulwark.config.model.RateLimitSettings> rateLimits,
            @Doc("Pools by name (module bulwark-pool), referenced by protections; their factories come from BulwarkConfigCustomizer beans.")
            Map<String, dev.bulwark.config.model.PoolSettings> pools,
            @Doc("Named protections by key, used by @Protected(\"key\") and infra.executeProtected(\"key\", ...).")
            Map<String, dev.bulwark.config.model.ProtectionSettings> protections,
            @Doc("The HTTP side: the per-caller rate-limit filter.")
            WebSettings web) {
    }
}
