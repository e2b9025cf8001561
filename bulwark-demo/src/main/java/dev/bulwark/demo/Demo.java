package dev.bulwark.demo;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.ProtectionStatus;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.error.InfraError;
import dev.bulwark.eventstore.EventQuery;
import dev.bulwark.eventstore.EventRecorder;
import dev.bulwark.eventstore.FileEventStore;
import dev.bulwark.eventstore.FsyncPolicy;
import dev.bulwark.eventstore.StoredEvent;
import dev.bulwark.eventstore.TimelineFormat;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pool.PoolConfig;
import dev.bulwark.pool.PoolStage;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.pool.PooledCall;
import dev.bulwark.pool.Pools;
import dev.bulwark.ratelimit.RateLimitHeaders;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The runnable main job: one minute in the life of a shop's product page, simulated in well under
 * a second. Four users ask an inventory service for stock through one named protection; the
 * service fails now and then, goes down for 25 seconds, then recovers. The timeline shows the
 * protection at work — retries absorbing blips, a breaker opening, half-opening and closing,
 * fallbacks keeping the page up, a greedy user rate limited with a Retry-After, readiness going
 * DEGRADED (not DOWN) while the breaker is open — and a summary table counts it all. A simulated
 * kubelet probes readiness and liveness every second.
 *
 * <p>Everything runs on a {@link ManualClock} through the asynchronous pipeline with a direct
 * executor: the simulation advances the clock and every reply, timeout and backoff happens at its
 * simulated time on one thread, so the run is deterministic and needs no service.
 *
 * <p>An {@link EventRecorder} keeps the run's protection events in a file store; at the end the
 * breaker's timeline is read back from it, as an operator would after an incident.
 */
public final class Demo {

    static final String PROTECTION = "inventory";
    /** The pool of client connections to the inventory service. */
    static final String POOL = "inventory_connections";
    static final Duration LENGTH = Duration.ofSeconds(60);
    static final Duration OUTAGE_START = Duration.ofSeconds(20);
    static final Duration OUTAGE_END = Duration.ofSeconds(45);
    static final String DEGRADED = "stock unknown (try again later)";
    static final Duration PROBE_PERIOD = Duration.ofSeconds(1);
    /** The simulated service's heap: 35 % in use after collection (a real service reads the JVM's). */
    static final MemoryReading HEAP = MemoryReading.ofOccupancy(0.35);

    /** A simulated user: how often they ask, and when they ask much more often. */
    record User(String name, Duration every, Duration burstEvery, Duration burstFrom, Duration burstUntil) {
        Duration interval(Duration now) {
            boolean bursting = burstEvery != null && now.compareTo(burstFrom) >= 0 && now.compareTo(burstUntil) < 0;
            return bursting ? burstEvery : every;
        }
    }

    static final List<User> USERS = List.of(
            new User("alice", Duration.ofMillis(500), null, null, null),
            new User("bob", Duration.ofMillis(700), null, null, null),
            new User("carol", Duration.ofMillis(1300), null, null, null),
            new User("mallory", Duration.ofMillis(900), Duration.ofMillis(60), Duration.ofSeconds(8), Duration.ofSeconds(14)));

    private Demo() {
    }

    /**
     * Without {@code --serve}: the simulated minute, printed, recorded into an event log (in the
     * directory given as the argument, or a temporary one). With {@code --serve [--port N] [--token T]}:
     * the same scenario in real time, over and over, with the dashboard at
     * {@code http://127.0.0.1:8080/bulwark/}, until stopped (see {@link Serve}).
     */
    public static void main(String[] args) throws IOException {
        if (List.of(args).contains("--serve")) {
            Serve.main(args);
            return;
        }
        Path events = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("bulwark-demo-events");
        run(System.out, events);
        System.out.println();
        System.out.println("The event log is in " + events + "; read it with");
        System.out.println("  java -cp bulwark-demo/target/bulwark-demo.jar dev.bulwark.eventstore.Query --dir " + events
                + " --from 2025-01-01T00:00:00Z --component " + PROTECTION);
    }

    /** Runs the simulation in a temporary event log (deleted afterwards), printing to {@code out}. */
    static Tally run(PrintStream out) {
        try {
            Path events = Files.createTempDirectory("bulwark-demo-events");
            try {
                return run(out, events);
            } finally {
                try (var files = Files.list(events)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.delete(f);
                    }
                }
                Files.delete(events);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the simulation recording into the file store in {@code events}, printing to {@code out}; returns what happened. */
    static Tally run(PrintStream out, Path events) {
        ManualClock clock = new ManualClock();
        Tally tally = new Tally();
        FlakyInventory inventory = new FlakyInventory(clock, OUTAGE_START, OUTAGE_END, 42);
        try (Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run)
                .memorySource(() -> HEAP)
                .install(EventRecorder.builder()
                        .fileStore(FileEventStore.builder(events).fsync(FsyncPolicy.never()))
                        .asModule())
                .install(pools(inventory))
                .build()) {
            Saturation saturation = start(out, clock, infra, inventory, tally, false).saturation;
            clock.advance(LENGTH);
            clock.advance(Duration.ofSeconds(3));   // lets the last requests finish

            printSummary(out, tally, infra.protectionStatus(PROTECTION).getOrThrow(), inventory);
            printPool(out, saturation, pool(infra).status());
            printReadiness(out, tally, infra.health().readiness());
        }
        printBreakerTimeline(out, events, clock);
        return tally;
    }

    /**
     * Sets the scenario up on {@code infra}: the protection, the users' requests and the periodic
     * status line, all scheduled on {@code clock}; {@code endless} repeats the minute for ever
     * (the users' bursts and the service's outage come back every minute).
     */
    static Timeline start(PrintStream out, ManualClock clock, Infrastructure infra, FlakyInventory inventory, Tally tally,
                          boolean endless) {
        Timeline timeline = new Timeline(out, clock, tally, infra.telemetry());
        Saturation saturation = timeline.saturation;
        dev.bulwark.pool.Pool<FlakyInventory.Connection> pool = pool(infra);
        timeline.attach();
        infra.configureProtection(PROTECTION, protection()).getOrThrow();
        introduce(out);

        Map<String, Integer> limitedThisSecond = new HashMap<>();
        for (User user : USERS) {
            tally.user(user.name());
            schedule(clock, user, endless,
                    () -> request(infra, clock, inventory, user, tally, timeline, limitedThisSecond));
        }
        FlakyInventory.Health[] health = {inventory.health()};
        clock.schedule(0, new Runnable() {
            @Override
            public void run() {
                FlakyInventory.Health now = inventory.health();
                if (now != health[0]) {
                    boolean outageChanged = now == FlakyInventory.Health.OUTAGE || health[0] == FlakyInventory.Health.OUTAGE;
                    health[0] = now;
                    if (outageChanged) {
                        timeline.say(now == FlakyInventory.Health.OUTAGE
                                ? "--- the inventory service goes down: refused connections and 2 s hangs ---"
                                : "--- the inventory service is back ---");
                    }
                }
                long millis = clock.elapsed().toMillis() % (endless ? LENGTH.toMillis() : Long.MAX_VALUE);
                saturation.sample(pool.status());
                if (millis % 1000 == 0) {
                    pool.maintain(); // on the simulated clock: lingering connections expire at simulated times
                }
                if (millis > 0 && millis % PROBE_PERIOD.toMillis() == 0) {
                    probe(infra, tally);
                }
                if (millis > 0 && millis % 10_000 == 0) {
                    ProtectionStatus status = infra.protectionStatus(PROTECTION).getOrThrow();
                    PoolStatus connections = pool.status();
                    timeline.say("status: breaker %s, failure rate %.0f %%, retry budget %.1f tokens, %d of %d places in flight,"
                                    + " %d of %d connections in use",
                            status.circuitBreaker().state().label(), status.circuitBreaker().failureRate(),
                            status.retry().budgetTokens(), status.bulkhead().inFlight(),
                            status.bulkhead().maxConcurrentCalls(), connections.active(),
                            connections.maxSize() + connections.maxOverflow());
                }
                if (endless || clock.elapsed().compareTo(LENGTH) < 0) {
                    clock.schedule(Duration.ofMillis(100).toNanos(), this);
                }
            }
        });
        return timeline;
    }

    /**
     * The inventory service's client connections: a Bulwark pool of 2, with 4 more under load that
     * linger 5 s; a connection whose lookup failed with an I/O error is closed rather than reused.
     * Its sweep runs on the simulated clock (driven by the scenario's tick), so the run stays
     * deterministic.
     */
    static dev.bulwark.spi.BulwarkModule pools(FlakyInventory inventory) {
        return Pools.builder().pool(POOL, inventory::connect, PoolConfig.builder()
                .maxSize(2).maxOverflow(4).overflowLinger(Duration.ofSeconds(5))
                .checkoutTimeout(Duration.ZERO)
                .poisonedBy(IOException.class)
                .maintenanceInterval(Duration.ofDays(1))
                .build()).asModule();
    }

    static dev.bulwark.pool.Pool<FlakyInventory.Connection> pool(Infrastructure infra) {
        return infra.component(Pools.class).orElseThrow().pool(POOL);
    }

    /** The breaker's state changes and rejections, read back from the event log once the run is over. */
    private static void printBreakerTimeline(PrintStream out, Path events, ManualClock clock) {
        long start = ManualClock.DEFAULT_START.toEpochMilli();
        try (FileEventStore store = FileEventStore.openReadOnly(events)) {
            List<StoredEvent> breaker = store.list(EventQuery.builder()
                    .namePrefix("foundation.infra.circuit_breaker").component(PROTECTION).unlimited().build());
            out.println();
            out.printf(Locale.ROOT, "The breaker's timeline, read back from the event log (%d records in all):%n",
                    store.status().records());
            for (StoredEvent e : breaker) {
                String suffix = e.suffix(dev.bulwark.telemetry.Events.DEFAULT_PREFIX);
                if (suffix.equals("circuit_breaker.state_change") || suffix.equals("circuit_breaker.call_rejected")) {
                    long millis = e.timestampMillis() - start;
                    out.printf(Locale.ROOT, "[%3d.%03d s] %s%n", millis / 1000, millis % 1000,
                            TimelineFormat.describe(e, dev.bulwark.telemetry.Events.DEFAULT_PREFIX));
                }
            }
        }
    }

    /** The one protection every lookup goes through, configured under a key. */
    static Protection protection() {
        return Protection.builder()
                .fallback(FallbackConfig.<Object>builder()
                        .lastGoodValue(Duration.ofSeconds(12))
                        .value(DEGRADED)
                        .handleIf(e -> e.code() != 6001)            // a rate-limited user gets 429, not data
                        .build())
                .rateLimitPerCaller("inventory.read", 5, Duration.ofSeconds(1))
                .bulkhead(BulkheadConfig.of(10))
                .totalTimeout(Duration.ofSeconds(2))
                .retry(RetryConfig.builder()
                        .maxAttempts(3)
                        .exponentialBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                        .jitter(0.3)
                        .random(new Random(7))
                        .maxRetryAfter(Duration.ofSeconds(1))
                        .budget(RetryBudget.of(0.2, 10))
                        .build())
                .circuitBreaker("inventory", CircuitBreakerConfig.builder()
                        .failureRate(50, SlidingWindow.ofDuration(Duration.ofSeconds(10)), 10)
                        .halfOpen(Duration.ofSeconds(5), 2, 2)
                        .build())
                .attemptTimeout(Duration.ofMillis(300))
                .stage(PoolStage.of(POOL))
                .build();
    }

    /**
     * What a kubelet does every second: GET /health/ready and /health/live. A change of readiness
     * shows in the timeline through {@code health.status_changed}.
     */
    private static void probe(Infrastructure infra, Tally tally) {
        HealthReport ready = infra.health().readiness();
        tally.count(ready.httpStatus() == 200 ? Tally.READY_200 : Tally.READY_503);
        if (ready.status() == HealthStatus.DEGRADED) {
            tally.count(Tally.READY_DEGRADED);
        }
        HealthReport live = infra.health().liveness();
        tally.count(live.status() == HealthStatus.UP ? Tally.LIVE_UP : Tally.LIVE_NOT_UP);
    }

    private static void introduce(PrintStream out) {
        out.println("Bulwark demo: one simulated minute of four users reading stock from a flaky inventory service.");
        out.println("Every lookup goes through the protection '" + PROTECTION + "':");
        out.println("  fallback (last good value <= 12 s, then 'stock unknown') -> rate limit (5/s per user)");
        out.println("  -> bulkhead (10) -> total timeout (2 s) -> retry (3 attempts, backoff 100..400 ms, budget)");
        out.println("  -> circuit breaker (opens at 50 % failures over 10 s, half-open after 5 s) -> attempt timeout (300 ms)");
        out.println("  -> pool (a client connection from '" + POOL + "': 2, up to 4 more under load, lingering 5 s)");
        out.println("The service fails 8 % of calls, is down from 20 s to 45 s, then recovers. mallory floods it from 8 s to 14 s.");
        out.println("A kubelet probes readiness and liveness every second.");
        out.println();
    }

    private static void schedule(ManualClock clock, User user, boolean endless, Runnable request) {
        clock.schedule(user.every().toNanos() / 2, new Runnable() {
            @Override
            public void run() {
                if (!endless && clock.elapsed().compareTo(LENGTH) >= 0) {
                    return;
                }
                request.run();
                Duration inMinute = Duration.ofNanos(clock.elapsed().toNanos() % LENGTH.toNanos());
                clock.schedule(user.interval(endless ? inMinute : clock.elapsed()).toNanos(), this);
            }
        });
    }

    private static void request(Infrastructure infra, ManualClock clock, FlakyInventory inventory, User user, Tally tally,
                                Timeline timeline, Map<String, Integer> limitedThisSecond) {
        infra.<String>executeProtectedAsync(PROTECTION, user.name(), () -> PooledCall.resource(FlakyInventory.Connection.class).stock("sku-123"))
                .thenAccept(result -> record(clock, user, result, tally, timeline, limitedThisSecond));
    }

    /**
     * Records how a request ended. Everything runs on one thread, so the fallback event of this
     * request was the last one the timeline saw before its result arrives here.
     */
    private static void record(ManualClock clock, User user, Result<String> result, Tally tally, Timeline timeline,
                               Map<String, Integer> limitedThisSecond) {
        boolean fellBack = timeline.takeFallbackFlag();
        if (result instanceof Result.Ok<String>) {
            tally.outcome(user.name(), fellBack ? Tally.Outcome.FALLBACK : Tally.Outcome.FRESH);
            return;
        }
        InfraError error = ((Result.Err<String>) result).error();
        if (error.code() == 6001) {
            tally.outcome(user.name(), Tally.Outcome.RATE_LIMITED);
            tally.count(Timeline.RATE_LIMITED);
            int second = (int) clock.elapsed().toSeconds();
            Integer previous = limitedThisSecond.put(user.name(), second);
            if (previous == null || previous != second) {
                timeline.say("%s is rate limited: HTTP %d, Retry-After: %d s", user.name(), error.httpStatus(),
                        RateLimitHeaders.retryAfterSeconds(error).orElse(0));
            }
            return;
        }
        tally.outcome(user.name(), Tally.Outcome.FAILED);
        timeline.say("%s got error %d: %s", user.name(), error.code(), error.message());
    }

    private static void printSummary(PrintStream out, Tally tally, ProtectionStatus status, FlakyInventory inventory) {
        out.println();
        out.println("Summary per user");
        out.println("+---------+----------+-------+-----------+--------------+--------+");
        out.println("| user    | requests | fresh | fallback  | rate limited | failed |");
        out.println("+---------+----------+-------+-----------+--------------+--------+");
        tally.byUser().forEach((user, c) -> out.printf(Locale.ROOT, "| %-7s | %8d | %5d | %9d | %12d | %6d |%n", user,
                c[0] + c[1] + c[2] + c[3], c[0], c[1], c[2], c[3]));
        out.println("+---------+----------+-------+-----------+--------------+--------+");
        out.println();
        out.println("What the protection did");
        out.println("+---------------------------------------+-------+");
        for (String phenomenon : List.of(Timeline.RETRIES, Timeline.BUDGET_EXHAUSTED, Timeline.TIMEOUTS,
                Timeline.OPENED, Timeline.HALF_OPENED, Timeline.CLOSED, Timeline.BREAKER_REJECTED,
                Timeline.FALLBACK_LAST_GOOD, Timeline.FALLBACK_VALUE, Timeline.RATE_LIMITED, Timeline.READINESS_CHANGES)) {
            out.printf(Locale.ROOT, "| %-37s | %5d |%n", phenomenon, tally.phenomenon(phenomenon));
        }
        out.println("+---------------------------------------+-------+");
        out.printf(Locale.ROOT, "calls that reached the inventory service: %d; breaker now %s; retry budget %.1f tokens%n",
                inventory.calls(), status.circuitBreaker().state().label(), status.retry().budgetTokens());
    }

    /** How saturated the connection pool got, and its figures at the end. */
    private static void printPool(PrintStream out, Saturation saturation, PoolStatus end) {
        int capacity = end.maxSize() + end.maxOverflow();
        out.printf(Locale.ROOT, "connection pool '%s': peak %d of %d connections in use (%d of them overflow),"
                        + " exhausted %.1f s of the minute; %d created, %d closed, %d checkouts refused (7101); %d idle at the end%n",
                POOL, saturation.peakActive(), capacity, saturation.peakOverflow(), saturation.exhaustedSeconds(),
                end.created(), end.destroyed(), end.timeouts() + end.rejections(), end.idle());
    }

    /** The readiness report at the end, as {@code GET /health/ready} would answer it, and the probes' tally. */
    private static void printReadiness(PrintStream out, Tally tally, HealthReport ready) {
        out.println();
        out.printf(Locale.ROOT, "Readiness report at the end (GET /health/ready): %s, HTTP %d%n", ready.status(), ready.httpStatus());
        out.println("+---------------------------+----------+----------------------------------------------------+");
        out.println("| check                     | status   | detail                                             |");
        out.println("+---------------------------+----------+----------------------------------------------------+");
        ready.checks().forEach((name, check) -> out.printf(Locale.ROOT, "| %-25s | %-8s | %-50s |%n", name,
                check.status().label(), detail(check)));
        out.println("+---------------------------+----------+----------------------------------------------------+");
        out.printf(Locale.ROOT, "readiness probes: %d answered HTTP 200 (%d of them DEGRADED), %d answered 503;"
                        + " liveness probes: %d UP, %d not UP%n",
                tally.phenomenon(Tally.READY_200), tally.phenomenon(Tally.READY_DEGRADED), tally.phenomenon(Tally.READY_503),
                tally.phenomenon(Tally.LIVE_UP), tally.phenomenon(Tally.LIVE_NOT_UP));
    }

    private static String detail(HealthReport.Check check) {
        Object reason = check.details().get("reason");
        String text = reason != null ? reason.toString() : check.details().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
        return text.length() > 50 ? text.substring(0, 47) + "..." : text;
    }
}
