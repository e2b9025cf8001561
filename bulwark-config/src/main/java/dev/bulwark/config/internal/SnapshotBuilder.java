package dev.bulwark.config.internal;

import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.config.model.BulwarkSettings;
import dev.bulwark.config.model.CircuitBreakerSettings;
import dev.bulwark.config.model.HealthSettings;
import dev.bulwark.config.model.InfrastructureSettings;
import dev.bulwark.config.model.MemorySettings;
import dev.bulwark.config.model.PoolSettings;
import dev.bulwark.config.model.ProtectionSettings;
import dev.bulwark.config.model.ProtectionSettings.AdaptiveConcurrencySettings;
import dev.bulwark.config.model.ProtectionSettings.FallbackSettings;
import dev.bulwark.config.model.ProtectionSettings.HedgeSettings;
import dev.bulwark.config.model.ProtectionSettings.RateLimitStageSettings;
import dev.bulwark.config.model.ProtectionSettings.RetrySettings;
import dev.bulwark.config.model.ProtectionSettings.TimeoutSettings;
import dev.bulwark.config.model.RateLimitSettings;
import dev.bulwark.config.model.RedisSettings;
import dev.bulwark.config.tree.ConfigNode;
import dev.bulwark.config.tree.Location;
import dev.bulwark.config.tree.ScalarNode;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.memory.MemoryConfig;
import dev.bulwark.pipeline.AdaptiveConcurrencyConfig;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.HedgeConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.time.TickingClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds core's configurations from bound settings with the same builders an application uses
 * (so a file and the equivalent code give equal configurations), reporting each builder's
 * refusal at the setting it concerns. A section whose binding already failed is skipped (its
 * problems are reported). Not thread-safe; one per build.
 */
public final class SnapshotBuilder {

    /**
     * What was built.
     *
     * @param criticalBreakers the breakers marked {@code critical: true} and those of {@code health.criticalBreakers}
     * @param health           the health registry's configuration (its defaults when the section is left out)
     * @param memory           the memory monitor's configuration (its defaults when the section is left out)
     * @param pools            bulwark-pool's {@code PoolConfig}s by pool name (typed Object: that module is optional)
     */
    public record Built(Map<String, CircuitBreakerConfig> circuitBreakers, Set<String> criticalBreakers,
                        Map<String, RateLimit> rateLimits, Map<String, Protection> protections, HealthConfig health,
                        MemoryConfig memory, Map<String, Object> pools) {

        /** Nothing configured. */
        public static Built empty() {
            return new Built(Map.of(), Set.of(), Map.of(), Map.of(), HealthConfig.defaults(), MemoryConfig.defaults(), Map.of());
        }
    }

    private final Binder binder;
    private final Problems problems;
    private final ClassLoader classLoader;

    public SnapshotBuilder(Binder binder, ClassLoader classLoader) {
        this.binder = binder;
        this.problems = binder.problems();
        this.classLoader = classLoader;
    }

    public Built build(BulwarkSettings s) {
        infrastructure(s.infrastructure());
        Map<String, CircuitBreakerConfig> breakers = new LinkedHashMap<>();
        Set<String> critical = new TreeSet<>();
        s.circuitBreakers().forEach((name, b) -> {
            ConfigPath path = ConfigPath.ROOT.field("circuitBreakers").key(name);
            if (checkName(s, "circuitBreakers", name, "circuit breaker name")) {
                CircuitBreakerConfig config = breaker(b, path);
                if (config != null) {
                    breakers.put(name, config);
                    if (Boolean.TRUE.equals(b.critical())) {
                        critical.add(name);
                    }
                }
            }
        });
        Map<String, RateLimit> rules = new LinkedHashMap<>();
        s.rateLimits().forEach((name, r) -> {
            if (checkName(s, "rateLimits", name, "rule name")) {
                RateLimit rule = rule(name, r.limit(), r.window(), r.algorithm(), r, ConfigPath.ROOT.field("rateLimits").key(name));
                if (rule != null) {
                    rules.put(name, rule);
                }
            }
        });
        Map<String, Object> pools = pools(s.pools());
        Map<String, Protection> protections = new LinkedHashMap<>();
        s.protections().forEach((key, p) -> {
            if (checkName(s, "protections", key, "protection key")) {
                Protection built = protection(key, p, s, breakers, rules);
                if (built != null) {
                    protections.put(key, built);
                }
            }
        });
        if (s.redis() != null) {
            redis(s.redis());
        }
        HealthConfig health = health(s.health(), critical);
        MemoryConfig memory = memory(s.memory());
        return new Built(Collections.unmodifiableMap(breakers), Collections.unmodifiableSet(critical),
                Collections.unmodifiableMap(rules), Collections.unmodifiableMap(protections), health, memory,
                Collections.unmodifiableMap(pools));
    }

    // ------------------------------------------------------------------ pools

    private Map<String, Object> pools(Map<String, PoolSettings> settings) {
        Map<String, Object> pools = new LinkedHashMap<>();
        if (settings.isEmpty()) {
            return pools;
        }
        if (!PoolSupport.available()) {
            Binder.Origin first = binder.where(settings.values().iterator().next());
            problems.value(ConfigPath.ROOT.field("pools"), first == null ? null : first.node().location(), null,
                    "a pools section needs the module bulwark-pool (dev.bulwark:bulwark-pool) on the class path");
            return pools;
        }
        settings.forEach((name, p) -> {
            if (!binder.clean(p)) {
                return;
            }
            ConfigPath path = ConfigPath.ROOT.field("pools").key(name);
            int before = problems.count();
            CircuitBreakerConfig breaker = p.circuitBreaker() == null ? null : breaker(p.circuitBreaker(), path.field("circuitBreaker"));
            Class<?>[] poison = p.poisonedBy() == null ? null : exceptionTypes(p, "poisonedBy", p.poisonedBy());
            Object config = PoolSupport.config(name, p, breaker, poison, this::step);
            if (config != null && problems.count() == before) {
                pools.put(name, config);
            }
        });
        return pools;
    }

    // ------------------------------------------------------------------ health and memory

    /**
     * The health registry's configuration; adds the names of {@code health.criticalBreakers} to
     * {@code critical} (which holds the breakers marked {@code critical: true}).
     */
    private HealthConfig health(HealthSettings h, Set<String> critical) {
        HealthConfig.Builder b = HealthConfig.builder();
        if (h != null && binder.clean(h)) {
            HealthCheckConfig[] checks = {HealthCheckConfig.defaults()};
            if (h.checkTimeout() != null) {
                step(h, "checkTimeout", () -> checks[0] = checks[0].withTimeout(h.checkTimeout()));
            }
            if (h.checkTtl() != null) {
                step(h, "checkTtl", () -> checks[0] = checks[0].withTtl(h.checkTtl()));
            }
            b.checkDefaults(checks[0]);
            if (h.keyBoundWarning() != null) {
                step(h, "keyBoundWarning", () -> b.keyBoundWarning(h.keyBoundWarning()));
            }
            if (h.criticalBreakers() != null) {
                List<?> nodes = binder.node(h, "criticalBreakers") instanceof dev.bulwark.config.tree.ListNode l ? l.items() : null;
                for (int i = 0; i < h.criticalBreakers().size(); i++) {
                    String name = h.criticalBreakers().get(i);
                    String problem = dev.bulwark.spi.Names.problem("critical breaker name", name);
                    if (problem == null) {
                        critical.add(name);
                        continue;
                    }
                    ConfigNode node = nodes != null && i < nodes.size() ? (ConfigNode) nodes.get(i) : binder.node(h, "criticalBreakers");
                    ConfigPath path = nodes != null ? binder.path(h, "criticalBreakers").index(i) : binder.path(h, "criticalBreakers");
                    Location at = node != null ? node.location() : binder.location(h, "criticalBreakers");
                    problems.value(path, at, node instanceof ScalarNode ? node : new ScalarNode(name, at), problem);
                }
            }
        }
        b.criticalBreakers(critical.toArray(new String[0]));
        return b.build();
    }

    private MemoryConfig memory(MemorySettings m) {
        if (m == null || !binder.clean(m)) {
            return MemoryConfig.defaults();
        }
        int before = problems.count();
        MemoryConfig.Builder b = MemoryConfig.builder();
        if (m.elevatedAt() != null) {
            step(m, "elevatedAt", () -> b.elevatedAt(m.elevatedAt()));
        }
        if (m.criticalAt() != null) {
            step(m, "criticalAt", () -> b.criticalAt(m.criticalAt()));
        }
        if (m.hysteresis() != null) {
            step(m, "hysteresis", () -> b.hysteresis(m.hysteresis()));
        }
        if (m.criticalGracePeriod() != null) {
            step(m, "criticalGracePeriod", () -> b.criticalGracePeriod(m.criticalGracePeriod()));
        }
        if (m.pollInterval() != null) {
            step(m, "pollInterval", () -> b.pollInterval(m.pollInterval()));
        }
        if (problems.count() != before) {
            return null;
        }
        // build() checks the thresholds together: blame the one written that takes part
        double elevated = m.elevatedAt() != null ? m.elevatedAt() : MemoryConfig.DEFAULT_ELEVATED;
        double criticalAt = m.criticalAt() != null ? m.criticalAt() : MemoryConfig.DEFAULT_CRITICAL;
        String blamed = elevated >= criticalAt ? written(m, "criticalAt", "elevatedAt") : written(m, "hysteresis", "elevatedAt");
        MemoryConfig[] built = new MemoryConfig[1];
        step(m, blamed, () -> built[0] = b.build());
        return built[0];
    }

    /** {@code preferred} when it is written in {@code record}, else {@code otherwise}. */
    private String written(Object record, String preferred, String otherwise) {
        return binder.node(record, preferred) != null ? preferred : otherwise;
    }

    // ------------------------------------------------------------------ infrastructure and redis

    private void infrastructure(InfrastructureSettings i) {
        if (i == null || !binder.clean(i)) {
            return;
        }
        dev.bulwark.Infrastructure.Builder probe = dev.bulwark.Infrastructure.builder();
        if (i.rateLimitMaxKeys() != null) {
            step(i, "rateLimitMaxKeys", () -> probe.rateLimitMaxKeys(i.rateLimitMaxKeys()));
        }
        if (i.rateLimitSweepInterval() != null) {
            step(i, "rateLimitSweepInterval", () -> probe.rateLimitSweepInterval(i.rateLimitSweepInterval()));
        }
        if (i.telemetryPrefix() != null) {
            step(i, "telemetryPrefix", () -> probe.telemetryPrefix(i.telemetryPrefix()));
        }
        if (i.asyncTelemetry() != null) {
            step(i, "asyncTelemetry", () -> probe.asyncTelemetry(i.asyncTelemetry()));
        }
        if (i.tickingClock() != null) {
            step(i, "tickingClock", () -> TickingClock.requireResolution("tickingClock", i.tickingClock()));
        }
    }

    private void redis(RedisSettings r) {
        ConfigPath path = ConfigPath.ROOT.field("redis");
        if (!RedisSupport.available(classLoader)) {
            problems.value(path, binder.where(r) == null ? null : binder.where(r).node().location(), null,
                    "a redis section needs the module bulwark-redis (dev.bulwark:bulwark-redis) on the class path");
            return;
        }
        if (!binder.clean(r)) {
            return;
        }
        CircuitBreakerConfig breaker = r.circuitBreaker() == null ? null : breaker(r.circuitBreaker(), path.field("circuitBreaker"));
        RedisSupport.validate(r, breaker, this::step);
    }

    // ------------------------------------------------------------------ circuit breakers

    /** The breaker configuration of {@code b}, or null (problems reported). */
    public CircuitBreakerConfig breaker(CircuitBreakerSettings b, ConfigPath path) {
        if (b == null || !binder.clean(b)) {
            return null;
        }
        int before = problems.count();
        CircuitBreakerConfig.Builder builder = CircuitBreakerConfig.builder();
        boolean anyPolicy = b.failureCount() != null || b.failureRate() != null || b.slowCallRate() != null
                || b.consecutiveFailures() != null;
        if (!anyPolicy) {
            builder.failureCount(CircuitBreakerConfig.DEFAULT_MAX_MELTS, CircuitBreakerConfig.DEFAULT_WINDOW);
        }
        if (b.failureCount() != null) {
            var f = b.failureCount();
            int maxMelts = f.maxMelts() != null ? f.maxMelts() : CircuitBreakerConfig.DEFAULT_MAX_MELTS;
            Duration window = f.window() != null ? f.window() : CircuitBreakerConfig.DEFAULT_WINDOW;
            step(f, f.maxMelts() != null ? "maxMelts" : "window", () -> builder.failureCount(maxMelts, window));
        }
        if (b.failureRate() != null) {
            var f = b.failureRate();
            SlidingWindow window = window(f, f.windowCalls(), f.windowDuration());
            if (require(f, "thresholdPercent", f.thresholdPercent()) && require(f, "minimumCalls", f.minimumCalls()) && window != null) {
                step(f, "minimumCalls", () -> builder.failureRate(f.thresholdPercent(), window, f.minimumCalls()));
            }
        }
        if (b.slowCallRate() != null) {
            var f = b.slowCallRate();
            SlidingWindow window = window(f, f.windowCalls(), f.windowDuration());
            if (require(f, "slowerThan", f.slowerThan()) && require(f, "thresholdPercent", f.thresholdPercent())
                    && require(f, "minimumCalls", f.minimumCalls()) && window != null) {
                step(f, "minimumCalls", () -> builder.slowCallRate(f.slowerThan(), f.thresholdPercent(), window, f.minimumCalls()));
            }
        }
        if (b.consecutiveFailures() != null) {
            step(b, "consecutiveFailures", () -> builder.consecutiveFailures(b.consecutiveFailures()));
        }
        if (b.reset() != null && b.halfOpen() != null) {
            problems.value(binder.path(b, "halfOpen"), binder.location(b, "halfOpen"), null,
                    "a breaker recovers either by reset or by halfOpen, not both (reset is at " + binder.location(b, "reset") + ")");
        } else if (b.reset() != null) {
            step(b, "reset", () -> builder.reset(b.reset()));
        } else if (b.halfOpen() != null) {
            var h = b.halfOpen();
            if (require(h, "after", h.after())) {
                int trials = h.trialCalls() != null ? h.trialCalls() : 1;
                int threshold = h.successThreshold() != null ? h.successThreshold() : trials;
                step(h, h.successThreshold() != null ? "successThreshold" : h.trialCalls() != null ? "trialCalls" : "after",
                        () -> builder.halfOpen(h.after(), trials, threshold));
            }
        }
        if (b.trialTimeout() != null) {
            step(b, "trialTimeout", () -> builder.trialTimeout(b.trialTimeout()));
        }
        if (b.jitter() != null) {
            step(b, "jitter", () -> builder.jitter(b.jitter()));
        }
        if (b.backoff() != null) {
            var o = b.backoff();
            if (require(o, "multiplier", o.multiplier()) && require(o, "maxOpenDuration", o.maxOpenDuration())) {
                step(o, "multiplier", () -> builder.backoff(o.multiplier(), o.maxOpenDuration()));
            }
        }
        if (b.recordExceptions() != null) {
            Class<?>[] types = exceptionTypes(b, "recordExceptions", b.recordExceptions());
            if (types != null) {
                step(b, "recordExceptions", () -> builder.recordExceptions(types));
            }
        }
        if (b.ignoreExceptions() != null) {
            Class<?>[] types = exceptionTypes(b, "ignoreExceptions", b.ignoreExceptions());
            if (types != null) {
                step(b, "ignoreExceptions", () -> builder.ignoreExceptions(types));
            }
        }
        if (b.faultInjection() != null) {
            step(b, "faultInjection", () -> builder.faultInjection(b.faultInjection()));
        }
        if (problems.count() != before) {
            return null;
        }
        CircuitBreakerConfig[] built = new CircuitBreakerConfig[1];
        step(b, null, () -> built[0] = builder.build());
        return built[0];
    }

    private SlidingWindow window(Object policy, Integer calls, Duration duration) {
        if (calls != null && duration != null) {
            problems.value(binder.path(policy, "windowDuration"), binder.location(policy, "windowDuration"), null,
                    "a window is either windowCalls or windowDuration, not both");
            return null;
        }
        if (calls == null && duration == null) {
            problems.structure(binder.where(policy).path(), binder.where(policy).node().location(), null,
                    "missing key 'windowCalls' or 'windowDuration'", "the window of the rate");
            return null;
        }
        SlidingWindow[] w = new SlidingWindow[1];
        if (calls != null) {
            step(policy, "windowCalls", () -> w[0] = SlidingWindow.ofCalls(calls));
        } else {
            step(policy, "windowDuration", () -> w[0] = SlidingWindow.ofDuration(duration));
        }
        return w[0];
    }

    private Class<?>[] exceptionTypes(Object record, String component, List<String> names) {
        List<Class<?>> types = new ArrayList<>();
        boolean ok = true;
        List<?> nodes = binder.node(record, component) instanceof dev.bulwark.config.tree.ListNode l ? l.items() : null;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ConfigNode node = nodes != null && i < nodes.size() ? (ConfigNode) nodes.get(i) : binder.node(record, component);
            ConfigPath path = nodes != null ? binder.path(record, component).index(i) : binder.path(record, component);
            Location at = node != null ? node.location() : binder.location(record, component);
            ConfigNode shown = node instanceof ScalarNode ? node : new ScalarNode(name, at);
            try {
                Class<?> type = Class.forName(name, false, classLoader);
                if (!Throwable.class.isAssignableFrom(type)) {
                    problems.value(path, at, shown, type.getName() + " is not an exception type (a Throwable)");
                    ok = false;
                } else {
                    types.add(type);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                problems.value(path, at, shown, "no class named " + name + " is on the class path"
                        + (name.indexOf('.') < 0 ? " (give the fully qualified name, e.g. java.io.IOException)" : ""));
                ok = false;
            }
        }
        if (!ok) {
            return null;
        }
        if (types.isEmpty()) {
            problems.value(binder.path(record, component), binder.location(record, component), null,
                    "needs at least one exception class");
            return null;
        }
        return types.toArray(new Class<?>[0]);
    }

    // ------------------------------------------------------------------ rate limits

    private RateLimit rule(String name, Long limit, Duration window, Algorithm algorithm, Object record, ConfigPath path) {
        if (!binder.clean(record)) {
            return null;
        }
        if (!require(record, "limit", limit) | !require(record, "window", window)) {
            return null;
        }
        Algorithm a = algorithm != null ? algorithm : Algorithm.SLIDING_WINDOW;
        RateLimit[] built = new RateLimit[1];
        int before = problems.count();
        step(record, "limit", () -> RateLimit.of(limit, Duration.ofSeconds(1)));
        if (problems.count() == before) {
            step(record, "window", () -> built[0] = name == null ? RateLimit.of(limit, window, a) : RateLimit.of(name, limit, window, a));
        }
        return built[0];
    }

    // ------------------------------------------------------------------ protections

    private Protection protection(String key, ProtectionSettings p, BulwarkSettings s,
                                  Map<String, CircuitBreakerConfig> breakers, Map<String, RateLimit> rules) {
        // each stage is built when its own settings bound cleanly, so that every problem is found at once
        ConfigPath path = ConfigPath.ROOT.field("protections").key(key);
        int before = problems.count();
        Protection.Builder builder = Protection.builder();
        if (p.fallback() != null && binder.clean(p.fallback())) {
            FallbackConfig<Object> fallback = fallback(p.fallback());
            if (fallback != null) {
                builder.fallback(fallback);
            }
        }
        if (p.rateLimit() != null && binder.clean(p.rateLimit())) {
            rateLimit(key, p.rateLimit(), rules, s, builder);
        }
        if (Boolean.TRUE.equals(p.shed())) {
            builder.shed();
        }
        if (p.adaptiveConcurrency() != null && binder.clean(p.adaptiveConcurrency())) {
            AdaptiveConcurrencyConfig a = adaptiveConcurrency(p.adaptiveConcurrency());
            if (a != null) {
                builder.adaptiveConcurrency(a);
            }
        }
        if (p.bulkhead() != null && binder.clean(p.bulkhead())) {
            var b = p.bulkhead();
            if (require(b, "maxConcurrentCalls", b.maxConcurrentCalls())) {
                BulkheadConfig[] c = new BulkheadConfig[1];
                step(b, "maxConcurrentCalls", () -> c[0] = BulkheadConfig.of(b.maxConcurrentCalls()));
                if (c[0] != null && b.maxWait() != null) {
                    step(b, "maxWait", () -> c[0] = c[0].withMaxWait(b.maxWait()));
                }
                if (c[0] != null) {
                    builder.bulkhead(c[0]);
                }
            }
        }
        if (p.totalTimeout() != null && binder.clean(p.totalTimeout())) {
            TimeoutConfig t = timeout(p.totalTimeout());
            if (t != null) {
                builder.totalTimeout(t);
            }
        }
        if (p.retry() != null && binder.clean(p.retry())) {
            RetryConfig r = retry(p.retry());
            if (r != null) {
                builder.retry(r);
            }
        }
        if (p.hedge() != null && binder.clean(p.hedge())) {
            HedgeConfig h = hedge(p.hedge());
            if (h != null) {
                builder.hedge(h);
            }
        }
        if (p.circuitBreaker() != null) {
            CircuitBreakerConfig config = breakers.get(p.circuitBreaker());
            if (config != null) {
                step(p, "circuitBreaker", () -> builder.circuitBreaker(p.circuitBreaker(), config));
            } else if (!s.circuitBreakers().containsKey(p.circuitBreaker())) {
                problems.unknownName(binder.path(p, "circuitBreaker"), binder.location(p, "circuitBreaker"),
                        binder.node(p, "circuitBreaker"), "circuit breaker of circuitBreakers", s.circuitBreakers().keySet());
            }
        }
        if (p.attemptTimeout() != null && binder.clean(p.attemptTimeout())) {
            TimeoutConfig t = timeout(p.attemptTimeout());
            if (t != null) {
                builder.attemptTimeout(t);
            }
        }
        if (p.pool() != null) {
            if (!s.pools().containsKey(p.pool())) {
                problems.unknownName(binder.path(p, "pool"), binder.location(p, "pool"), binder.node(p, "pool"),
                        "pool of pools", s.pools().keySet());
            } else if (PoolSupport.available()) {
                step(p, "pool", () -> builder.stage(PoolSupport.stage(p.pool())));
            }
        }
        if (problems.count() != before || !binder.clean(p)) {
            return null;
        }
        Protection[] built = new Protection[1];
        try {
            built[0] = builder.build();
        } catch (IllegalStateException e) {
            problems.structure(path, binder.where(p).node().location(), null, "an empty protection",
                    "give it at least one stage: fallback, rateLimit, shed, adaptiveConcurrency, bulkhead, totalTimeout, retry,"
                            + " hedge, circuitBreaker, attemptTimeout or pool");
        } catch (IllegalArgumentException e) {
            problems.value(binder.path(p, "attemptTimeout"), binder.location(p, "attemptTimeout"),
                    binder.node(p.attemptTimeout(), "timeout"), e.getMessage());
        }
        return built[0];
    }

    private FallbackConfig<Object> fallback(FallbackSettings f) {
        if (f.value() == null && f.lastGoodValue() == null) {
            problems.structure(binder.where(f).path(), binder.where(f).node().location(), null,
                    "a fallback without an answer", "give it a value, a lastGoodValue, or both");
            return null;
        }
        FallbackConfig.Builder<Object> b = FallbackConfig.builder();
        if (f.lastGoodValue() != null) {
            step(f, "lastGoodValue", () -> b.lastGoodValue(f.lastGoodValue()));
        }
        if (f.value() != null) {
            b.value(f.value());
        }
        FallbackConfig<Object>[] built = newArray();
        step(f, null, () -> built[0] = b.build());
        return built[0];
    }

    @SuppressWarnings("unchecked")
    private static FallbackConfig<Object>[] newArray() {
        return (FallbackConfig<Object>[]) new FallbackConfig<?>[1];
    }

    private void rateLimit(String key, RateLimitStageSettings r, Map<String, RateLimit> rules, BulwarkSettings s,
                           Protection.Builder builder) {
        RateLimit rule;
        if (r.rule() != null) {
            if (r.limit() != null || r.window() != null || r.algorithm() != null) {
                String inline = r.limit() != null ? "limit" : r.window() != null ? "window" : "algorithm";
                problems.value(binder.path(r, inline), binder.location(r, inline), binder.node(r, inline),
                        "a rate limit names a rule or gives limit and window inline, not both (rule is at "
                                + binder.location(r, "rule") + ")");
                return;
            }
            rule = rules.get(r.rule());
            if (rule == null) {
                if (!s.rateLimits().containsKey(r.rule())) {
                    problems.unknownName(binder.path(r, "rule"), binder.location(r, "rule"), binder.node(r, "rule"),
                            "rule of rateLimits", s.rateLimits().keySet());
                }
                return;
            }
        } else {
            rule = rule(null, r.limit(), r.window(), r.algorithm(), r, binder.where(r).path());
            if (rule == null) {
                return;
            }
        }
        String operation = r.operation() != null ? r.operation() : key;
        RateLimit chosen = rule;
        if (r.entity() != null) {
            step(r, "entity", () -> builder.rateLimit(r.entity(), operation, chosen));
        } else {
            step(r, "operation", () -> builder.rateLimitPerCaller(operation, chosen));
        }
    }

    private AdaptiveConcurrencyConfig adaptiveConcurrency(AdaptiveConcurrencySettings a) {
        int before = problems.count();
        AdaptiveConcurrencyConfig defaults = AdaptiveConcurrencyConfig.defaults();
        AdaptiveConcurrencyConfig.Builder b = AdaptiveConcurrencyConfig.builder();
        AdaptiveConcurrencyConfig.Algorithm algorithm = a.algorithm() != null ? a.algorithm() : defaults.algorithm();
        b.algorithm(algorithm);
        if (a.initialLimit() != null) {
            step(a, "initialLimit", () -> b.initialLimit(a.initialLimit()));
        }
        if (a.minLimit() != null || a.maxLimit() != null) {
            int min = a.minLimit() != null ? a.minLimit() : defaults.minLimit();
            int max = a.maxLimit() != null ? a.maxLimit() : defaults.maxLimit();
            String blamed = min < 1 ? "minLimit" : written(a, "maxLimit", "minLimit");
            step(a, blamed, () -> b.limits(min, max));
        }
        if (a.window() != null) {
            step(a, "window", () -> b.window(a.window()));
        }
        if (a.minSamples() != null) {
            step(a, "minSamples", () -> b.minSamples(a.minSamples()));
        }
        if (a.tolerance() != null) {
            step(a, "tolerance", () -> b.tolerance(a.tolerance()));
        }
        if (a.backoffRatio() != null) {
            if (algorithm != AdaptiveConcurrencyConfig.Algorithm.AIMD) {
                problems.value(binder.path(a, "backoffRatio"), binder.location(a, "backoffRatio"), binder.node(a, "backoffRatio"),
                        "backoffRatio applies to algorithm aimd only, not " + algorithm.label());
            } else {
                step(a, "backoffRatio", () -> b.backoffRatio(a.backoffRatio()));
            }
        }
        if (a.slowStart() != null) {
            b.slowStart(a.slowStart());
        }
        if (a.probeInterval() != null) {
            step(a, "probeInterval", () -> b.probeInterval(a.probeInterval()));
        }
        if (problems.count() != before) {
            return null;
        }
        AdaptiveConcurrencyConfig[] built = new AdaptiveConcurrencyConfig[1];
        step(a, written(a, "initialLimit", written(a, "minLimit", "maxLimit")), () -> built[0] = b.build());
        return built[0];
    }

    private HedgeConfig hedge(HedgeSettings h) {
        if (!Boolean.TRUE.equals(h.idempotent())) {
            String why = "hedging runs the operation more than once at the same time: only an operation declared"
                    + " idempotent (idempotent: true) may be hedged (docs/hedging.md)";
            if (h.idempotent() == null) {
                Binder.Origin o = binder.where(h);
                problems.structure(o.path(), o.node().location(), null, "missing key '" + problems.style().name("idempotent") + "'", why);
            } else {
                problems.value(binder.path(h, "idempotent"), binder.location(h, "idempotent"), binder.node(h, "idempotent"), why);
            }
            return null;
        }
        int before = problems.count();
        HedgeConfig defaults = HedgeConfig.builder().idempotent().delay(Duration.ZERO).build();
        HedgeConfig.Builder b = HedgeConfig.builder().idempotent();
        if (h.maxAttempts() != null) {
            step(h, "maxAttempts", () -> b.maxAttempts(h.maxAttempts()));
        }
        if (h.delay() != null && h.percentile() != null) {
            problems.value(binder.path(h, "percentile"), binder.location(h, "percentile"), binder.node(h, "percentile"),
                    "a hedge waits either a fixed delay or a percentile of the latency (with initialDelay), not both"
                            + " (delay is at " + binder.location(h, "delay") + ")");
        } else if (h.delay() != null) {
            for (String component : List.of("initialDelay", "latencyWindow", "minSamples", "minDelay", "maxDelay")) {
                if (binder.node(h, component) != null) {
                    problems.value(binder.path(h, component), binder.location(h, component), binder.node(h, component),
                            component + " applies to a percentile delay only, not to a fixed delay");
                }
            }
            step(h, "delay", () -> b.delay(h.delay()));
        } else if (h.percentile() != null) {
            if (require(h, "initialDelay", h.initialDelay())) {
                step(h, h.percentile() > 0 && h.percentile() < 100 ? "initialDelay" : "percentile",
                        () -> b.delayAtPercentile(h.percentile(), h.initialDelay()));
            }
            if (h.latencyWindow() != null) {
                step(h, "latencyWindow", () -> b.latencyWindow(h.latencyWindow()));
            }
            if (h.minSamples() != null) {
                step(h, "minSamples", () -> b.minSamples(h.minSamples()));
            }
            if (h.minDelay() != null || h.maxDelay() != null) {
                Duration min = h.minDelay() != null ? h.minDelay() : defaults.minDelay();
                Duration max = h.maxDelay() != null ? h.maxDelay() : defaults.maxDelay();
                String blamed = min.isNegative() || min.compareTo(dev.bulwark.time.Durations.MAX) > 0 ? "minDelay"
                        : written(h, "maxDelay", "minDelay");
                step(h, blamed, () -> b.delayBounds(min, max));
            }
        } else {
            Binder.Origin o = binder.where(h);
            problems.structure(o.path(), o.node().location(), null, "missing key '" + problems.style().name("delay") + "' or '"
                    + problems.style().name("percentile") + "'", "when the next attempt starts: a fixed delay, or a percentile of the latency");
        }
        if (h.budget() != null && binder.clean(h.budget())) {
            var budget = h.budget();
            double ratio = budget.ratio() != null ? budget.ratio() : defaults.budgetRatio();
            int burst = budget.burst() != null ? budget.burst() : defaults.budgetBurst();
            step(budget, ratio > 0 && ratio <= 1 ? written(budget, "burst", "ratio") : "ratio", () -> b.budget(ratio, burst));
        }
        if (problems.count() != before) {
            return null;
        }
        HedgeConfig[] built = new HedgeConfig[1];
        step(h, null, () -> built[0] = b.build());
        return built[0];
    }

    private TimeoutConfig timeout(TimeoutSettings t) {
        if (!require(t, "timeout", t.timeout())) {
            return null;
        }
        TimeoutConfig[] c = new TimeoutConfig[1];
        step(t, "timeout", () -> c[0] = TimeoutConfig.of(t.timeout()));
        if (c[0] != null && t.interrupt() != null) {
            c[0] = c[0].withInterruptOnTimeout(t.interrupt());
        }
        return c[0];
    }

    private RetryConfig retry(RetrySettings r) {
        int before = problems.count();
        RetryConfig.Builder b = RetryConfig.builder();
        if (r.maxAttempts() != null) {
            step(r, "maxAttempts", () -> b.maxAttempts(r.maxAttempts()));
        }
        ProtectionSettings.Backoff kind = r.backoff() != null ? r.backoff()
                : r.delay() != null ? ProtectionSettings.Backoff.FIXED : ProtectionSettings.Backoff.EXPONENTIAL;
        switch (kind) {
            case FIXED -> {
                notFor(r, "fixed", "initialDelay", r.initialDelay());
                notFor(r, "fixed", "maxDelay", r.maxDelay());
                notFor(r, "fixed", "multiplier", r.multiplier());
                if (require(r, "delay", r.delay())) {
                    step(r, "delay", () -> b.fixedBackoff(r.delay()));
                }
            }
            case NONE -> {
                notFor(r, "none", "delay", r.delay());
                notFor(r, "none", "initialDelay", r.initialDelay());
                notFor(r, "none", "maxDelay", r.maxDelay());
                notFor(r, "none", "multiplier", r.multiplier());
                b.noBackoff();
            }
            case EXPONENTIAL -> {
                notFor(r, "exponential", "delay", r.delay());
                RetryConfig defaults = RetryConfig.defaults();
                if (r.initialDelay() != null || r.maxDelay() != null || r.multiplier() != null) {
                    Duration initial = r.initialDelay() != null ? r.initialDelay() : defaults.initialDelay();
                    Duration max = r.maxDelay() != null ? r.maxDelay() : defaults.maxDelay();
                    double multiplier = r.multiplier() != null ? r.multiplier() : defaults.multiplier();
                    String blamed = r.multiplier() != null ? "multiplier" : r.maxDelay() != null ? "maxDelay" : "initialDelay";
                    step(r, blamed, () -> b.exponentialBackoff(initial, max, multiplier));
                }
            }
        }
        if (r.jitter() != null) {
            step(r, "jitter", () -> b.jitter(r.jitter()));
        }
        if (r.maxRetryAfter() != null) {
            step(r, "maxRetryAfter", () -> b.maxRetryAfter(r.maxRetryAfter()));
        }
        if (r.budget() != null) {
            var budget = r.budget();
            if (require(budget, "retryRatio", budget.retryRatio())) {
                int burst = budget.burst() != null ? budget.burst() : 10;
                step(budget, budget.burst() != null && budget.retryRatio() > 0 && budget.retryRatio() <= 10 ? "burst" : "retryRatio",
                        () -> b.budget(RetryBudget.of(budget.retryRatio(), burst)));
            }
        }
        return problems.count() == before ? b.build() : null;
    }

    private void notFor(Object record, String kind, String component, Object value) {
        if (value != null) {
            problems.value(binder.path(record, component), binder.location(record, component), binder.node(record, component),
                    component + " does not apply to backoff " + kind);
        }
    }

    // ------------------------------------------------------------------ helpers

    private boolean checkName(BulwarkSettings s, String section, String name, String what) {
        String problem = dev.bulwark.spi.Names.problem(what, name);
        if (problem != null) {
            Object record = section.equals("protections") ? s.protections().get(name)
                    : section.equals("rateLimits") ? s.rateLimits().get(name) : s.circuitBreakers().get(name);
            Binder.Origin o = binder.where(record);
            problems.value(ConfigPath.ROOT.field(section).key(name), o == null ? null : o.node().location(),
                    new ScalarNode(name, o == null ? Location.of("?") : o.node().location()), problem);
            return false;
        }
        return true;
    }

    /** Whether {@code value} is set; else reports the missing key. */
    private boolean require(Object record, String component, Object value) {
        if (value != null) {
            return true;
        }
        Binder.Origin o = binder.where(record);
        problems.structure(o == null ? ConfigPath.ROOT : o.path(), o == null ? null : o.node().location(), null,
                "missing key '" + problems.style().name(component) + "'", null);
        return false;
    }

    /**
     * Runs a builder step, reporting an {@link IllegalArgumentException} or
     * {@link IllegalStateException} at setting {@code component} of {@code record} (the record
     * itself when null).
     */
    private void step(Object record, String component, Runnable step) {
        try {
            step.run();
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            Binder.Origin o = binder.where(record);
            if (component == null) {
                problems.value(o == null ? ConfigPath.ROOT : o.path(), o == null ? null : o.node().location(), null,
                        String.valueOf(e.getMessage()));
            } else {
                problems.value(binder.path(record, component), binder.location(record, component),
                        binder.node(record, component), String.valueOf(e.getMessage()));
            }
        }
    }

    /** A builder step of the Redis section, for {@link RedisSupport}. */
    @FunctionalInterface
    public interface StepRunner {
        void step(Object record, String component, Runnable step);
    }
}
