package dev.bulwark.micrometer;

import dev.bulwark.health.HealthGroup;
import dev.bulwark.health.HealthRegistry;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.health.RegisteredCheck;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.time.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The health gauges of one binder: {@code bulwark.health.status{group}} per group and
 * {@code bulwark.health.check_status{group, check}} per check and group, following the health
 * registry as checks are registered and removed (breakers' checks come and go with their breakers).
 *
 * <p><b>Reading.</b> A gauge is read at publication (a scrape): it takes the group's report
 * ({@link HealthRegistry#report}), which never waits for a check and starts at most one refresh per
 * check TTL. The gauges of one group share one report for {@link #REPORT_REUSE} on the
 * infrastructure's clock, so a scrape makes one report per group, not one per check. Nothing is
 * done per call.
 *
 * <p><b>Bounds.</b> Check names are tags, bounded by the {@code check} guard
 * ({@code MetricsConfig.maxTagValues("check")}; a check beyond it has no gauge of its own, its
 * group's status still counts it), and custom group names by the {@code group} guard.
 * Liveness and readiness always have their group gauge.
 *
 * <p>Thread-safe: the listener's methods run under the binder's lock.
 */
final class HealthGauges implements RegistryListener<RegisteredCheck> {

    /** How long the gauges of one group reuse one report (one scrape reads them all well within it). */
    static final Duration REPORT_REUSE = Duration.ofSeconds(1);

    private static final long REUSE_NANOS = REPORT_REUSE.toNanos();

    private final HealthRegistry health;
    private final Clock clock;
    private final MeterRegistry registry;
    private final TagGuard groupGuard;
    private final TagGuard checkGuard;
    private final Object lock;
    private final Map<String, Group> groups = new HashMap<>();
    private final Map<String, Entry> checks = new HashMap<>();
    private boolean closed;

    HealthGauges(HealthRegistry health, Clock clock, MeterRegistry registry, TagGuard groupGuard, TagGuard checkGuard,
                 Object lock) {
        this.health = health;
        this.clock = clock;
        this.registry = registry;
        this.groupGuard = groupGuard;
        this.checkGuard = checkGuard;
        this.lock = lock;
        synchronized (lock) {
            group(HealthGroup.LIVENESS);
            group(HealthGroup.READINESS);
        }
    }

    /** A check's groups (those with a gauge) and its gauges. */
    private record Entry(List<Group> groups, List<Meter> gauges) {
    }

    static double code(HealthStatus status) {
        return status.ordinal();   // declared best to worst: 0 up, 1 degraded, 2 unknown, 3 down
    }

    /** One group's gauge and the report its gauges share. */
    private final class Group {
        final HealthGroup group;
        final Gauge gauge;
        int checks;
        private HealthReport report;
        private long reportNanos;

        Group(HealthGroup group) {
            this.group = group;
            this.gauge = Gauge.builder(MeterCatalogue.HEALTH_STATUS.name(), this, g -> code(g.report().status()))
                    .tags(Tags.of("group", group.name())).description(MeterCatalogue.HEALTH_STATUS.description())
                    .strongReference(true).register(registry);
        }

        synchronized HealthReport report() {
            long now = clock.nanoTime();
            if (report == null || now - reportNanos >= REUSE_NANOS || now < reportNanos) {
                report = health.report(group);
                reportNanos = now;
            }
            return report;
        }

        double check(String name) {
            HealthReport.Check check = report().checks().get(name);
            return check == null ? Double.NaN : code(check.status());
        }
    }

    private Group group(HealthGroup group) {
        Group g = groups.get(group.name());
        if (g == null && groupGuard.admit(group.name())) {
            g = new Group(group);
            groups.put(group.name(), g);
        }
        return g;
    }

    @Override
    public void added(String name, RegisteredCheck check) {
        synchronized (lock) {
            if (closed || checks.containsKey(name)) {
                return;
            }
            List<Group> in = new ArrayList<>();
            for (HealthGroup hg : sorted(check.groups())) {
                Group g = group(hg);
                if (g != null) {
                    g.checks++;
                    in.add(g);
                }
            }
            List<Meter> gauges = new ArrayList<>(in.size());
            if (!in.isEmpty() && checkGuard.admit(name)) {
                for (Group g : in) {
                    gauges.add(Gauge.builder(MeterCatalogue.HEALTH_CHECK_STATUS.name(), g, x -> x.check(name))
                            .tags(Tags.of("group", g.group.name(), "check", name))
                            .description(MeterCatalogue.HEALTH_CHECK_STATUS.description())
                            .strongReference(true).register(registry));
                }
            }
            checks.put(name, new Entry(in, gauges));
        }
    }

    @Override
    public void removed(String name, RegisteredCheck check) {
        synchronized (lock) {
            Entry entry = checks.remove(name);
            if (entry == null) {
                return;
            }
            entry.gauges().forEach(registry::remove);
            if (!entry.gauges().isEmpty()) {
                checkGuard.release(name);
            }
            for (Group g : entry.groups()) {
                boolean core = g.group.equals(HealthGroup.LIVENESS) || g.group.equals(HealthGroup.READINESS);
                if (--g.checks == 0 && !core) {
                    registry.remove(g.gauge);
                    groups.remove(g.group.name());
                    groupGuard.release(g.group.name());
                }
            }
        }
    }

    /** The number of series registered now. */
    int seriesCount() {
        synchronized (lock) {
            int n = groups.size();
            for (Entry e : checks.values()) {
                n += e.gauges().size();
            }
            return n;
        }
    }

    /** Removes every gauge; later notifications are ignored. */
    void close() {
        synchronized (lock) {
            closed = true;
            checks.values().forEach(e -> e.gauges().forEach(registry::remove));
            checks.clear();
            groups.values().forEach(g -> registry.remove(g.gauge));
            groups.clear();
        }
    }

    private static List<HealthGroup> sorted(Set<HealthGroup> groups) {
        Map<String, HealthGroup> byName = new TreeMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        return new ArrayList<>(byName.values());
    }
}
