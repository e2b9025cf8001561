package dev.bulwark.config;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.config.internal.ConfigPath;
import dev.bulwark.config.internal.Names;
import dev.bulwark.config.internal.Problems;
import dev.bulwark.config.internal.PoolSupport;
import dev.bulwark.config.internal.RedisSupport;
import dev.bulwark.config.internal.SnapshotBuilder;
import dev.bulwark.config.internal.TreeEdit;
import dev.bulwark.config.model.BulwarkSettings;
import dev.bulwark.config.model.HealthSettings;
import dev.bulwark.config.model.InfrastructureSettings;
import dev.bulwark.config.model.MemorySettings;
import dev.bulwark.config.model.PoolSettings;
import dev.bulwark.config.model.RedisSettings;
import dev.bulwark.config.tree.ConfigTrees;
import dev.bulwark.config.tree.Location;
import dev.bulwark.config.tree.MapNode;
import dev.bulwark.config.tree.ScalarNode;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.HealthRegistry;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Bulwark configured from a file (YAML or JSON): named protections with every stage, circuit
 * breakers, rate-limit rules, the Redis store, health, memory thresholds and the infrastructure's
 * own settings, validated
 * with every problem reported at once (path, line, bad value, nearest valid name), overridable by
 * environment variables and system properties, and re-applied when the file changes.
 *
 * <pre>{@code
 * BulwarkConfig config = BulwarkConfig.fromFile(Path.of("bulwark.yaml"))
 *         .watch(Duration.ofSeconds(2))           // poll the file; or call reload() yourself
 *         .build();                               // reads and validates now: ConfigException
 * try (Infrastructure infra = config.applyTo(Infrastructure.builder()).build()) {
 *     infra.executeProtected("inventory", userId, () -> client.stock(sku));
 * }
 * }</pre>
 *
 * <p><b>Installing.</b> {@link #applyTo(Infrastructure.Builder)} applies the {@code infrastructure},
 * {@code health} and {@code memory} sections to the builder and installs {@link #asModule()}; the
 * module installs the Redis store of a {@code redis} section, installs the breakers, marks the
 * critical ones in the health registry and configures the protections once the infrastructure is
 * built, and registers its {@link ConfigStatus} as component {@code config}. A configuration binds
 * to one infrastructure.
 *
 * <p><b>Reload.</b> {@link #reload()} (and the watcher, on each change of the file) reads the
 * source again. A new configuration is validated and built completely before anything is applied;
 * then breakers and protections are installed, changed or removed, each atomically, and whatever
 * is equal to what it replaces keeps its state (breaker history, retry budget, last good value).
 * An invalid new configuration changes nothing: the one in force stays and {@code config.rejected}
 * is emitted; a valid one emits {@code config.applied}. The {@code infrastructure}, {@code redis}
 * and {@code memory} sections and the {@code health} section but its {@code criticalBreakers} apply
 * when the infrastructure is built; a reload that changes them is rejected. Critical breakers are
 * marked and unmarked in the health registry on each reload.
 *
 * <p><b>Overrides.</b> Environment variables {@code BULWARK_<PATH>} and system properties
 * {@code bulwark.<path>} override the file's values, system properties first:
 * {@code BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPTS=5},
 * {@code -Dbulwark.protections.inventory.retry.maxAttempts=5} (docs/config.md, "Overrides").
 *
 * <p>Thread-safe.
 */
public final class BulwarkConfig {

    /** The component name under which the configuration's status appears in {@code infra.status()}. */
    public static final String COMPONENT_NAME = "config";

    private final String sourceName;
    private final Supplier<String> fingerprint;
    private final Supplier<ConfigSnapshot> reader;
    private final Duration pollInterval;
    private final Object lock = new Object();

    private volatile ConfigSnapshot current;
    private volatile Infrastructure infrastructure;
    private volatile boolean infrastructureApplied;
    private volatile boolean installed;
    private EventChannel appliedChannel;
    private EventChannel rejectedChannel;
    private Scheduler.Task watchTask;
    private String lastSeen;
    private String pending;
    private long version;
    private Instant lastAppliedAt;
    private long rejected;
    private String lastRejection;
    private Instant lastRejectedAt;
    private final Map<String, Object> poolFactories = new LinkedHashMap<>();

    private BulwarkConfig(String sourceName, Supplier<String> fingerprint, Supplier<ConfigSnapshot> reader,
                          Duration pollInterval) {
        this.sourceName = sourceName;
        this.fingerprint = fingerprint;
        this.reader = reader;
        this.pollInterval = pollInterval;
        this.lastSeen = fingerprint == null ? null : fingerprint.get();
        this.current = reader.get();
    }

    /** A configuration read from {@code file}: YAML, or JSON when its name ends in {@code .json}. */
    public static Builder fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        return new Builder(file, null, ConfigFormat.of(file));
    }

    /** A configuration given as text (tests, embedded defaults); {@link #reload()} reads the same text again. */
    public static Builder fromText(String text, ConfigFormat format) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(format, "format");
        return new Builder(null, text, format);
    }

    /**
     * A configuration from any source: {@code reader} is asked at once and on every {@link #reload()}
     * (the Spring Boot starter reads the application's environment this way).
     *
     * @param sourceName how events and status name the source
     * @param reader     builds a snapshot, or throws {@link ConfigException}
     * @throws ConfigException what {@code reader} threw the first time
     */
    public static BulwarkConfig fromSource(String sourceName, Supplier<ConfigSnapshot> reader) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(reader, "reader");
        return new BulwarkConfig(sourceName, null, reader, null);
    }

    /** The configuration in force (the last one applied, or the first one read). */
    public ConfigSnapshot current() {
        return current;
    }

    /**
     * The resource factories of the {@code pools} section's pools (module bulwark-pool), to give
     * before the infrastructure is built: {@code config.poolFactories().pool("inventory_clients", factory)}.
     */
    public PoolFactories poolFactories() {
        return new PoolFactories(this);
    }

    void factory(String pool, Object factory) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(factory, "factory");
        synchronized (lock) {
            if (installed) {
                throw new IllegalStateException("configuration " + sourceName
                        + " is installed already: give pool factories before the infrastructure is built");
            }
            if (!current.settings().pools().containsKey(pool)) {
                String nearest = Names.nearest(pool, current.settings().pools().keySet());
                throw new IllegalArgumentException("configuration " + sourceName + " has no pool named '" + pool + "'"
                        + (nearest != null ? ": did you mean '" + nearest + "'?" : "; its pools: " + current.settings().pools().keySet()));
            }
            if (poolFactories.containsKey(pool)) {
                throw new IllegalStateException("pool '" + pool + "' has a factory already");
            }
            poolFactories.put(pool, factory);
        }
    }

    /**
     * Applies the {@code infrastructure} section to {@code builder} and installs {@link #asModule()}.
     *
     * @return {@code builder}
     * @throws IllegalStateException if this configuration was installed already
     */
    public Infrastructure.Builder applyTo(Infrastructure.Builder builder) {
        InfrastructureSettings i = current.settings().infrastructure();
        if (i != null) {
            if (i.rateLimitMaxKeys() != null) {
                builder.rateLimitMaxKeys(i.rateLimitMaxKeys());
            }
            if (i.rateLimitSweepInterval() != null) {
                builder.rateLimitSweepInterval(i.rateLimitSweepInterval());
            }
            if (i.telemetryPrefix() != null) {
                builder.telemetryPrefix(i.telemetryPrefix());
            }
            if (i.asyncTelemetry() != null) {
                builder.asyncTelemetry(i.asyncTelemetry());
            }
            if (i.tickingClock() != null) {
                builder.tickingClock(i.tickingClock());
            }
        }
        if (current.settings().health() != null) {
            builder.health(current.health());
        }
        if (current.settings().memory() != null) {
            builder.memory(current.memory());
        }
        infrastructureApplied = true;
        return builder.install(asModule());
    }

    /**
     * This configuration as a module. Installed alone (without {@link #applyTo}), a configuration
     * with an {@code infrastructure} section fails the build: those settings belong to the builder.
     */
    public BulwarkModule asModule() {
        return new BulwarkModule() {
            @Override
            public String name() {
                return COMPONENT_NAME;
            }

            @Override
            public void install(ModuleContext context) {
                BulwarkConfig.this.install(context);
            }

            @Override
            public String toString() {
                return "BulwarkConfig module[" + sourceName + "]";
            }
        };
    }

    private void install(ModuleContext context) {
        synchronized (lock) {
            if (installed) {
                throw new IllegalStateException("configuration " + sourceName + " is installed in an infrastructure already");
            }
            installed = true;
        }
        ConfigSnapshot snapshot = current;
        String builderSection = builderSection(snapshot.settings());
        if (builderSection != null && !infrastructureApplied) {
            Problems problems = new Problems();
            problems.value(ConfigPath.ROOT.field(builderSection), Location.of(sourceName), null,
                    "the " + builderSection + " section sets the Infrastructure builder: install with BulwarkConfig.applyTo(builder)");
            throw problems.exception(sourceName);
        }
        context.telemetry().declare(ConfigEvents.all());
        appliedChannel = context.telemetry().channel(ConfigEvents.APPLIED);
        rejectedChannel = context.telemetry().channel(ConfigEvents.REJECTED);
        RedisSettings redis = snapshot.settings().redis();
        if (redis != null) {
            CircuitBreakerConfig breaker = null;
            if (redis.circuitBreaker() != null) {
                breaker = new SnapshotBuilder(new dev.bulwark.config.internal.Binder(new Problems()), getClass().getClassLoader())
                        .breaker(redis.circuitBreaker(), ConfigPath.ROOT.field("redis").field("circuitBreaker"));
            }
            RedisSupport.module(redis, breaker).install(context);
        }
        if (!snapshot.poolConfigs().isEmpty()) {
            PoolSupport.module(snapshot.poolConfigs(), factoriesOf(snapshot)).install(context);
        }
        context.register(COMPONENT_NAME, this, this::status, this::stopWatching);
        context.onBuilt(infra -> {
            synchronized (lock) {
                List<String> changed = apply(infra, ConfigSnapshot.empty(sourceName), snapshot);
                infrastructure = infra;
                applied(snapshot, changed);
                if (pollInterval != null) {
                    watchTask = context.scheduler().scheduleAtFixedRate("config-watch", pollInterval, this::poll);
                }
            }
        });
    }

    /** The factory of each pool of {@code snapshot}; 1201 naming each pool without one, or keyed where a protection needs a plain one. */
    private Map<String, Object> factoriesOf(ConfigSnapshot snapshot) {
        Map<String, Object> factories;
        synchronized (lock) {
            factories = new LinkedHashMap<>(poolFactories);
        }
        Problems problems = new Problems();
        for (String pool : snapshot.poolConfigs().keySet()) {
            ConfigPath path = ConfigPath.ROOT.field("pools").key(pool);
            Object factory = factories.get(pool);
            if (factory == null) {
                problems.value(path, Location.of(sourceName), null, "pool '" + pool + "' has no resource factory: give one"
                        + " in code with config.poolFactories().pool(\"" + pool + "\", factory) before the infrastructure is built");
            } else if (PoolSupport.isKeyed(factory)) {
                snapshot.settings().protections().forEach((key, p) -> {
                    if (pool.equals(p.pool())) {
                        problems.value(ConfigPath.ROOT.field("protections").key(key).field("pool"), Location.of(sourceName),
                                new ScalarNode(pool, Location.of(sourceName)),
                                "pool '" + pool + "' is keyed (its factory is a KeyedResourceFactory): the pool stage needs a plain pool");
                    }
                });
            }
        }
        if (!problems.isEmpty()) {
            throw problems.exception(sourceName);
        }
        return factories;
    }

    /**
     * The first section that only the builder can apply ({@link #applyTo}), or null: the
     * infrastructure, memory and health sections (but a health section that only lists critical
     * breakers is applied through the health registry).
     */
    private static String builderSection(BulwarkSettings s) {
        if (s.infrastructure() != null) {
            return "infrastructure";
        }
        if (s.health() != null && startupPart(s.health()) != null) {
            return "health";
        }
        return s.memory() != null ? "memory" : null;
    }

    /** The settings of {@code health} that apply when the infrastructure is built (all but criticalBreakers), or null when none is set. */
    private static HealthSettings startupPart(HealthSettings h) {
        if (h == null || (h.checkTimeout() == null && h.checkTtl() == null && h.keyBoundWarning() == null)) {
            return null;
        }
        return new HealthSettings(h.checkTimeout(), h.checkTtl(), null, h.keyBoundWarning());
    }

    /**
     * Reads the source again and applies it if it is valid (see the class comment).
     *
     * @return {@code Ok(snapshot)} applied (or, before the configuration is installed, validated);
     *         {@code Err} with the summary of the problems (1101, 1201 or 1301; its cause is the
     *         {@link ConfigException} listing each) when it was rejected and the configuration in
     *         force stays
     */
    public Result<ConfigSnapshot> reload() {
        synchronized (lock) {
            if (fingerprint != null) {
                lastSeen = fingerprint.get();
            }
            ConfigSnapshot next;
            try {
                next = reader.get();
                startupOnly(current, next);
                if (infrastructure != null && !next.poolConfigs().isEmpty()) {
                    factoriesOf(next);   // a protection moved onto a keyed pool is named at its setting
                }
            } catch (ConfigException e) {
                rejected(e);
                return Result.err(e.error().toBuilder().cause(e).build());
            }
            Infrastructure infra = infrastructure;
            if (infra == null) {
                current = next;
                return Result.ok(next);
            }
            ConfigSnapshot previous = current;
            try {
                List<String> changed = apply(infra, previous, next);
                applied(next, changed);
                return Result.ok(next);
            } catch (ConfigException e) {
                apply(infra, next, previous);
                rejected(e);
                return Result.err(e.error().toBuilder().cause(e).build());
            }
        }
    }

    /** This configuration's status (also in {@code infra.status()} under {@value #COMPONENT_NAME}). */
    public ConfigStatus status() {
        synchronized (lock) {
            ConfigSnapshot s = current;
            return new ConfigStatus(sourceName, watchTask != null && !watchTask.isCancelled(), version,
                    s.protections().size(), s.circuitBreakers().size(), lastAppliedAt, rejected, lastRejection,
                    lastRejectedAt);
        }
    }

    /** Where this configuration is read from. */
    public String source() {
        return sourceName;
    }

    @Override
    public String toString() {
        return "BulwarkConfig[" + sourceName + (pollInterval != null ? ", watched every " + pollInterval : "") + "]";
    }

    // ------------------------------------------------------------------ applying

    /**
     * Makes {@code infra} hold {@code next} where it held {@code previous}: breakers first (so that
     * protections find them configured), then protections, then removals.
     *
     * @return what changed, e.g. {@code protection inventory}
     * @throws ConfigException if a protection is refused (nothing is rolled back here)
     */
    private List<String> apply(Infrastructure infra, ConfigSnapshot previous, ConfigSnapshot next) {
        List<String> changed = new ArrayList<>();
        CircuitBreakers breakers = infra.circuitBreakers();
        next.circuitBreakers().forEach((name, config) -> {
            CircuitBreaker installed = breakers.get(name).orElse(null);
            if (installed == null || !installed.config().equals(config)) {
                breakers.install(name, config);
                changed.add("circuit_breaker " + name);
            }
        });
        Problems problems = new Problems();
        next.protections().forEach((key, protection) -> {
            Protection before = infra.protectionConfig(key).orElse(null);
            Result<Protection> result = infra.configureProtection(key, protection);
            if (result instanceof Result.Err<Protection> err) {
                problems.value(ConfigPath.ROOT.field("protections").key(key), Location.of(sourceName), null,
                        err.error().message());
            } else if (!protection.equals(before)) {
                changed.add("protection " + key);
            }
        });
        if (!problems.isEmpty()) {
            throw problems.exception(sourceName);
        }
        for (String key : previous.protections().keySet()) {
            if (!next.protections().containsKey(key) && infra.removeProtection(key)) {
                changed.add("protection " + key + " removed");
            }
        }
        for (String name : previous.circuitBreakers().keySet()) {
            if (!next.circuitBreakers().containsKey(name) && breakers.remove(name)) {
                changed.add("circuit_breaker " + name + " removed");
            }
        }
        HealthRegistry health = infra.health();
        for (String name : next.criticalBreakers()) {
            if (health.markCritical(name)) {
                changed.add("critical_breaker " + name);
            }
        }
        for (String name : previous.criticalBreakers()) {
            if (!next.criticalBreakers().contains(name) && health.unmarkCritical(name)) {
                changed.add("critical_breaker " + name + " unmarked");
            }
        }
        return changed;
    }

    /** Rejects a reload that changes what applies only when the infrastructure is built. */
    private void startupOnly(ConfigSnapshot previous, ConfigSnapshot next) {
        if (infrastructure == null) {
            return;
        }
        Problems problems = new Problems();
        differences(problems, ConfigPath.ROOT.field("infrastructure"), previous.settings().infrastructure(),
                next.settings().infrastructure(), InfrastructureSettings.class);
        differences(problems, ConfigPath.ROOT.field("redis"), previous.settings().redis(), next.settings().redis(),
                RedisSettings.class);
        differences(problems, ConfigPath.ROOT.field("health"), startupPart(previous.settings().health()),
                startupPart(next.settings().health()), HealthSettings.class);
        differences(problems, ConfigPath.ROOT.field("memory"), previous.settings().memory(), next.settings().memory(),
                MemorySettings.class);
        Set<String> poolNames = new LinkedHashSet<>(previous.settings().pools().keySet());
        poolNames.addAll(next.settings().pools().keySet());
        for (String pool : poolNames) {
            differences(problems, ConfigPath.ROOT.field("pools").key(pool), previous.settings().pools().get(pool),
                    next.settings().pools().get(pool), PoolSettings.class);
        }
        if (!problems.isEmpty()) {
            throw problems.exception(sourceName);
        }
    }

    private void differences(Problems problems, ConfigPath path, Record before, Record after, Class<?> type) {
        if (Objects.equals(before, after)) {
            return;
        }
        String why = "applies when the infrastructure is built and cannot change on a reload: restart to change it";
        if (before == null || after == null) {
            problems.value(path, Location.of(sourceName), null, (before == null ? "added" : "removed") + "; the section " + why);
            return;
        }
        for (RecordComponent c : type.getRecordComponents()) {
            try {
                Object was = c.getAccessor().invoke(before);
                Object is = c.getAccessor().invoke(after);
                if (!Objects.equals(was, is)) {
                    problems.value(path.field(c.getName()), Location.of(sourceName), new ScalarNode(String.valueOf(is),
                            Location.of(sourceName)), "changed from " + was + "; this setting " + why);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void applied(ConfigSnapshot snapshot, List<String> changed) {
        current = snapshot;
        version++;
        lastAppliedAt = infrastructure == null ? Instant.now() : infrastructure.clock().instant();
        EventChannel channel = appliedChannel;
        if (channel != null && channel.isActive()) {
            channel.emit(Map.of("version", version, "protections", snapshot.protections().size(),
                            "circuit_breakers", snapshot.circuitBreakers().size(), "changed", changed.size()),
                    Map.of(ConfigEvents.SOURCE, sourceName, ConfigEvents.CHANGED_KEYS, List.copyOf(changed)));
        }
    }

    private void rejected(ConfigException e) {
        rejected++;
        lastRejection = e.getMessage();
        Infrastructure infra = infrastructure;
        lastRejectedAt = infra == null ? Instant.now() : infra.clock().instant();
        EventChannel channel = rejectedChannel;
        if (channel != null && channel.isActive()) {
            channel.emit(Map.of("errors", e.errors().size()),
                    Map.of(ConfigEvents.SOURCE, sourceName, ConfigEvents.ERROR_CODE, e.errors().get(0).code(),
                            ConfigEvents.MESSAGE, e.getMessage()));
        }
    }

    /**
     * One look at the file: a content that differs from the one last read is reloaded once it is
     * seen twice in a row, so that a file being written (truncated, half written) is never applied.
     */
    void poll() {
        String seen = fingerprint.get();
        synchronized (lock) {
            if (Objects.equals(seen, lastSeen)) {
                pending = null;
                return;
            }
            if (!Objects.equals(seen, pending)) {
                pending = seen;
                return;
            }
            pending = null;
        }
        reload();
    }

    private void stopWatching() {
        synchronized (lock) {
            if (watchTask != null) {
                watchTask.cancel();
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Builds a {@link BulwarkConfig}: where from, whether to watch, which overrides. Not thread-safe.
     */
    public static final class Builder {
        private final Path file;
        private final String text;
        private ConfigFormat format;
        private Duration pollInterval;
        private Map<String, String> environment;
        private Map<String, String> systemProperties;
        private boolean overrides = true;
        private ClassLoader classLoader;

        private Builder(Path file, String text, ConfigFormat format) {
            this.file = file;
            this.text = text;
            this.format = format;
        }

        /** The format, when the file name does not tell (default: JSON for {@code .json}, else YAML). */
        public Builder format(ConfigFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Polls the file every {@code interval} on the infrastructure's scheduler and reloads it when
         * its content changed and stayed the same for one more interval (so a file being written is
         * never read half-way). Polling (rather than a file-system watch) works on every file system
         * and with editors and orchestrators that replace the file instead of writing it.
         *
         * @throws IllegalArgumentException if {@code interval} is not positive
         * @throws IllegalStateException    if the configuration is given as text
         */
        public Builder watch(Duration interval) {
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("watch interval must be positive, was " + interval);
            }
            if (file == null) {
                throw new IllegalStateException("only a configuration read from a file can be watched");
            }
            this.pollInterval = interval;
            return this;
        }

        /** The environment whose {@code BULWARK_*} variables override the file (default: {@link System#getenv()}). */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** The system properties whose {@code bulwark.*} entries override the file (default: {@link System#getProperties()}). */
        public Builder systemProperties(Map<String, String> properties) {
            this.systemProperties = Map.copyOf(properties);
            return this;
        }

        /** Ignores environment variables and system properties. */
        public Builder withoutOverrides() {
            this.overrides = false;
            return this;
        }

        /** Where exception classes named by breakers are looked up (default: the thread's context class loader). */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /**
         * Reads and validates the configuration now.
         *
         * @throws ConfigException with every problem found (1301 if the file cannot be read)
         */
        public BulwarkConfig build() {
            String name = file != null ? file.toString() : "inline " + format.name().toLowerCase(Locale.ROOT);
            Map<String, String> env = !overrides ? Map.of() : environment != null ? environment : System.getenv();
            Map<String, String> props = !overrides ? Map.of() : systemProperties != null ? systemProperties : properties();
            ClassLoader loader = classLoader != null ? classLoader
                    : Thread.currentThread().getContextClassLoader() != null ? Thread.currentThread().getContextClassLoader()
                    : BulwarkConfig.class.getClassLoader();
            ConfigFormat chosen = format;
            Supplier<String> fingerprint = file == null ? null : () -> {
                try {
                    return Files.readString(file);
                } catch (IOException e) {
                    return "unreadable: " + e;
                }
            };
            Supplier<ConfigSnapshot> reader = () -> {
                String content = file == null ? text : read(file, name);
                MapNode tree = ConfigTrees.parse(content, chosen, name);
                tree = override(tree, env, props);
                return ConfigSnapshot.bind(tree, name, PathStyle.FILE, Map.of(), loader);
            };
            return new BulwarkConfig(name, fingerprint, reader, pollInterval);
        }

        private static Map<String, String> properties() {
            Map<String, String> out = new TreeMap<>();
            Properties p = System.getProperties();
            for (String name : p.stringPropertyNames()) {
                out.put(name, p.getProperty(name));
            }
            return out;
        }

        private static String read(Path file, String name) {
            try {
                return Files.readString(file);
            } catch (NoSuchFileException e) {
                Problems problems = new Problems();
                problems.notFound(Location.of(name), "configuration file " + name + " does not exist");
                throw problems.exception(name);
            } catch (IOException | RuntimeException e) {
                Problems problems = new Problems();
                problems.notFound(Location.of(name), "configuration file " + name + " cannot be read: " + e);
                throw problems.exception(name);
            }
        }
    }

    /**
     * The tree with every {@code BULWARK_*} environment variable, then every {@code bulwark.*}
     * system property, set into it (so system properties win). Only names whose first part is a
     * section of the schema, or close to one (a typo, reported), are taken: others under the
     * prefix belong to someone else.
     */
    static MapNode override(MapNode tree, Map<String, String> env, Map<String, String> props) {
        List<String> sections = new ArrayList<>();
        for (RecordComponent c : BulwarkSettings.class.getRecordComponents()) {
            sections.add(c.getName());
        }
        Map<String, String> sortedEnv = new TreeMap<>(env);
        for (Map.Entry<String, String> e : sortedEnv.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("BULWARK_") || name.length() == 8) {
                continue;
            }
            List<String> tokens = new ArrayList<>(Arrays.asList(name.substring(8).toLowerCase(Locale.ROOT).split("_")));
            tokens.removeIf(String::isEmpty);
            if (concernsSchema(tokens, sections)) {
                tree = TreeEdit.set(tree, BulwarkSettings.class, tokens, "_",
                        new ScalarNode(e.getValue(), Location.of("environment variable " + name)));
            }
        }
        Map<String, String> sortedProps = new TreeMap<>(props);
        for (Map.Entry<String, String> e : sortedProps.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("bulwark.") || name.length() == 8) {
                continue;
            }
            List<String> tokens = new ArrayList<>(Arrays.asList(name.substring(8).split("\\.")));
            tokens.removeIf(String::isEmpty);
            if (concernsSchema(tokens, sections)) {
                tree = TreeEdit.set(tree, BulwarkSettings.class, tokens, ".",
                        new ScalarNode(e.getValue(), Location.of("system property " + name)));
            }
        }
        return tree;
    }

    private static boolean concernsSchema(List<String> tokens, List<String> sections) {
        for (int n = tokens.size(); n >= 1; n--) {
            String joined = Names.normal(String.join("", tokens.subList(0, n)));
            for (String s : sections) {
                if (Names.normal(s).equals(joined)) {
                    return true;
                }
            }
        }
        return Names.nearest(tokens.get(0), sections) != null;
    }
}
