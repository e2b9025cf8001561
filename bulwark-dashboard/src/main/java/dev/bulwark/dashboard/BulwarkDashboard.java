package dev.bulwark.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.Infrastructure;
import dev.bulwark.InfrastructureStatus;
import dev.bulwark.Result;
import dev.bulwark.circuit.State;
import dev.bulwark.circuit.Stats;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.memory.MemoryMonitor;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Telemetry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Bulwark's dashboard: health probes, a JSON status, a server-sent event stream, the Prometheus
 * scrape and a live page, served by the JDK's {@link HttpServer}; installed as a module.
 *
 * <pre>{@code
 * try (Infrastructure infra = Infrastructure.builder()
 *         .install(BulwarkDashboard.builder().port(8080).asModule())
 *         .build()) {
 *     // http://127.0.0.1:8080/bulwark/
 * }
 * }</pre>
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>path</th><th>method</th><th>answer</th></tr>
 * <tr><td>{@code /bulwark/}</td><td>GET</td><td>the live page (HTML, CSS and JS from the jar; no external request)</td></tr>
 * <tr><td>{@code /bulwark/health/live}</td><td>GET</td><td>{@code infra.health().liveness()}: 200 UP or DEGRADED, 503 UNKNOWN or DOWN, with its checks</td></tr>
 * <tr><td>{@code /bulwark/health/ready}</td><td>GET</td><td>{@code infra.health().readiness()}: the same codes, with its checks</td></tr>
 * <tr><td>{@code /bulwark/status}</td><td>GET</td><td>JSON: every component's typed status, breakers, live figures</td></tr>
 * <tr><td>{@code /bulwark/events}</td><td>GET</td><td>server-sent events: discrete events, ticks, heartbeats</td></tr>
 * <tr><td>{@code /bulwark/metrics}</td><td>GET</td><td>Prometheus text, when a Prometheus registry was given</td></tr>
 * <tr><td>{@code /bulwark/breakers/{name}/reset|disable|enable}</td><td>POST</td><td>only with actions on and the bearer token</td></tr>
 * </table>
 *
 * Anything else answers 404 (7503); a known path asked with another method 405 (7504) with an
 * {@code Allow} header; a path with dot segments or encoded separators 400 (7505). Every answer
 * carries {@code Content-Security-Policy: default-src 'self'} and {@code X-Content-Type-Options:
 * nosniff}. docs/observability.md describes the JSON and the events.
 *
 * <p><b>Health</b> is core's health registry ({@code infra.health()}, docs/health.md): the probes
 * answer its liveness and readiness reports, which never wait for a check (a hanging check is
 * DOWN once its timeout has passed). Breakers contribute there (open DEGRADED; DOWN only when
 * marked critical with {@code infra.health().markCritical(name)} or
 * {@code HealthConfig.builder().criticalBreakers(...)}); a closed infrastructure is DOWN.
 * {@code /bulwark/status} shows the memory monitor's pressure level and post-collection occupancy.
 *
 * <p>Thread-safe. Closing the infrastructure stops the server and every thread it started.
 */
public final class BulwarkDashboard implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BulwarkDashboard.class.getName());

    /** The component name under which the dashboard shows in {@code infra.status()}. */
    public static final String COMPONENT_NAME = "dashboard";

    /** A state-changing action was performed through the dashboard. */
    public static final EventType ACTION_PERFORMED = EventType.builder("dashboard", "action_performed")
            .description("a breaker was reset, disabled or enabled through the dashboard")
            .tag(EventKeys.NAME, "the breaker's name")
            .tag("action", "reset, disable or enable")
            .tag("to", "the breaker's state after the action")
            .build();
    /** An event-stream client was dropped because it read slower than events came. */
    public static final EventType STREAM_CLIENT_DROPPED = EventType.builder("dashboard", "stream_client_dropped")
            .description("an event-stream client fell a whole queue behind and was disconnected")
            .measurement("queue_frames", dev.bulwark.telemetry.Unit.COUNT, "the client's queue capacity")
            .build();

    /** Events that come once per call: counted in the live figures and ticks, not streamed one by one. */
    private static final Set<String> PER_CALL = Set.of("circuit_breaker.call_executed", "circuit_breaker.call_rejected",
            "rate_limiter.request_allowed", "rate_limiter.request_denied", "protection_executed",
            "rate_limiter.deny_cache_hit", "retry.retry_scheduled", "fallback.fallback_used",
            "bulkhead.call_rejected", "timeout.timed_out", "rate_limiter.backend_failure", "overload.shed");

    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    private final DashboardConfig config;
    private final Supplier<String> prometheus;
    private final LiveStats stats;
    private final StaticResources resources = StaticResources.load();
    private final AtomicLong eventIds = new AtomicLong();
    private final AtomicInteger streamedThisTick = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final ArrayDeque<String> eventLog = new ArrayDeque<>();
    private final ConcurrentHashMap<EventName, String> suffixes = new ConcurrentHashMap<>();
    private EventStream stream;
    private volatile Infrastructure infra;
    private Telemetry telemetry;
    private EventChannel actionChannel;
    private EventChannel droppedChannel;
    private HttpServer server;
    private ExecutorService httpExecutor;
    private ScheduledExecutorService ticker;
    private String handlerId;
    private long lastDropped;
    private boolean installed;
    private volatile boolean closed;

    private BulwarkDashboard(DashboardConfig config, Supplier<String> prometheus) {
        this.config = config;
        this.prometheus = prometheus;
        this.stats = new LiveStats(config.maxKeys(), config.historyTicks(), config.topEntities());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The configuration. */
    public DashboardConfig config() {
        return config;
    }

    /**
     * The address the server listens on (with the real port when 0 was configured).
     *
     * @throws IllegalStateException before the infrastructure is built
     */
    public InetSocketAddress address() {
        HttpServer s = server;
        if (s == null) {
            throw new IllegalStateException("the dashboard starts when its infrastructure is built");
        }
        return s.getAddress();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8080/bulwark/}. */
    public String url() {
        InetSocketAddress a = address();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/bulwark/";
    }

    /**
     * What {@code infra.status()} shows under {@value #COMPONENT_NAME}.
     *
     * @param address         where it listens ({@code host:port})
     * @param streamClients   event-stream clients connected now
     * @param clientsServed   event-stream clients accepted since start
     * @param clientsDropped  clients dropped because they fell a queue behind
     * @param suppressedEvents discrete events not streamed because a tick's budget was spent
     * @param requests        HTTP requests answered
     * @param actionsEnabled  whether the state-changing actions are on
     */
    public record Status(String address, int streamClients, long clientsServed, long clientsDropped,
                         long suppressedEvents, long requests, boolean actionsEnabled) implements ComponentStatus {
    }

    public Status status() {
        HttpServer s = server;
        EventStream es = stream;
        return new Status(s == null ? "" : s.getAddress().getHostString() + ":" + s.getAddress().getPort(),
                es == null ? 0 : es.clients(), es == null ? 0 : es.served(), es == null ? 0 : es.dropped(),
                suppressed.get(), requests.get(), config.actionsEnabled());
    }

    // ---- lifecycle

    private synchronized void install(ModuleContext context) {
        if (installed) {
            throw new IllegalStateException("this BulwarkDashboard is installed already; build one per infrastructure");
        }
        installed = true;
        context.errorCodes().register(DashboardErrorCode.class);
        telemetry = context.telemetry();
        telemetry.declare(List.of(ACTION_PERFORMED, STREAM_CLIENT_DROPPED));
        actionChannel = telemetry.channel(ACTION_PERFORMED);
        droppedChannel = telemetry.channel(STREAM_CLIENT_DROPPED);
        context.register(COMPONENT_NAME, this, this::status, this);
        context.onBuilt(this::start);
    }

    private synchronized void start(Infrastructure infrastructure) {
        this.infra = infrastructure;
        this.stream = new EventStream(config.maxStreamClients(), config.clientQueueFrames(), config.heartbeat());
        handlerId = COMPONENT_NAME + "@" + Integer.toHexString(System.identityHashCode(this));
        // the per-call events the page does not use stay inactive (a breaker then does not time its calls for us)
        Set<EventName> unused = new HashSet<>();
        for (EventType type : List.of(dev.bulwark.telemetry.Events.CIRCUIT_BREAKER_CALL_EXECUTED,
                dev.bulwark.telemetry.Events.RATE_LIMITER_DENY_CACHE_HIT, dev.bulwark.telemetry.Events.RETRY_SCHEDULED,
                dev.bulwark.telemetry.Events.FALLBACK_USED, dev.bulwark.telemetry.Events.BULKHEAD_CALL_REJECTED,
                dev.bulwark.telemetry.Events.TIMEOUT_TIMED_OUT, dev.bulwark.telemetry.Events.RATE_LIMITER_BACKEND_FAILURE)) {
            unused.add(telemetry.name(type));
        }
        telemetry.attachPrefix(handlerId, telemetry.prefix(), unused, this::onEvent);
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        } catch (IOException e) {
            telemetry.detach(handlerId);
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
        }
        AtomicInteger n = new AtomicInteger();
        httpExecutor = Executors.newFixedThreadPool(2, r -> daemon(r, "bulwark-dashboard-http-" + n.incrementAndGet()));
        server.setExecutor(httpExecutor);
        server.createContext("/", this::handle);
        server.start();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bulwark-dashboard-tick"));
        long period = config.tick().toMillis();
        ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "Bulwark dashboard on {0}", url());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops the server, ends every event-stream client and every thread the dashboard started. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (handlerId != null) {
            telemetry.detach(handlerId);
        }
        if (stream != null) {
            stream.close();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (server != null) {
            server.stop(0);
        }
        if (httpExecutor != null) {
            httpExecutor.shutdownNow();
        }
    }

    // ---- events

    private String suffix(EventName name) {
        String s = suffixes.get(name);
        if (s != null) {
            return s;
        }
        List<String> segments = name.segments();
        int skip = telemetry.prefix().segments().size();
        String computed = String.join(".", segments.subList(Math.min(skip, segments.size()), segments.size()));
        if (suffixes.size() < 1024) {
            suffixes.put(name, computed);
        }
        return computed;
    }

    private void onEvent(EventName name, Map<String, Number> measurements, Map<String, Object> metadata) {
        String suffix = suffix(name);
        switch (suffix) {
            case "protection_executed" -> {
                Number us = measurements.get(EventKeys.DURATION_US);
                stats.protection(String.valueOf(metadata.get(EventKeys.KEY)), (String) metadata.get(EventKeys.OUTCOME),
                        us == null ? 0 : us.longValue());
                return;
            }
            case "rate_limiter.request_allowed" -> {
                stats.decision(true, null);
                return;
            }
            case "rate_limiter.request_denied" -> {
                stats.decision(false, metadata.get(EventKeys.ENTITY_ID));
                return;
            }
            case "overload.shed" -> {
                stats.shed();
                return;
            }
            case "circuit_breaker.call_rejected" -> {
                Object breaker = metadata.get(EventKeys.NAME);
                stats.breakerRejected(breaker == null ? null : breaker.toString());
                return;
            }
            default -> {
                if (PER_CALL.contains(suffix)) {
                    return;
                }
            }
        }
        if (streamedThisTick.incrementAndGet() > config.maxStreamedPerTick()) {
            suppressed.incrementAndGet();
            return;
        }
        long id = eventIds.incrementAndGet();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        event.put("t", System.currentTimeMillis());
        event.put("event", suffix);
        event.put("measurements", measurements);
        event.put("metadata", metadata);
        String frame = EventStream.frame(null, id, Json.write(event));
        synchronized (eventLog) {
            eventLog.addLast(frame);
            while (eventLog.size() > config.eventLogSize()) {
                eventLog.removeFirst();
            }
        }
        EventStream es = stream;
        if (es != null) {
            es.publish(frame);
        }
    }

    private void tick() {
        try {
            streamedThisTick.set(0);
            Map<String, Object> tick = stats.roll(System.currentTimeMillis());
            tick.put("breakers", breakerStates());
            tick.put("top_denied", stats.topDenied(config.topEntities()));
            tick.put("suppressed", suppressed.get());
            tick.put("memory", memory());
            if (stream.clients() > 0) {   // a report per tick only for someone watching
                tick.put("health", healthSummary());
            }
            stream.publish(EventStream.frame("tick", -1, Json.write(tick)));
            long dropped = stream.dropped();
            if (dropped > lastDropped && droppedChannel.isActive()) {
                for (long i = lastDropped; i < dropped; i++) {
                    droppedChannel.emit(Map.of("queue_frames", config.clientQueueFrames()), Map.of());
                }
            }
            lastDropped = dropped;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dashboard tick failed", e);
        }
    }

    private Map<String, Object> breakerStates() {
        Map<String, Object> states = new LinkedHashMap<>();
        infra.circuitBreakers().snapshot().breakers().forEach((name, s) -> states.put(name, s.state().label()));
        return states;
    }

    /**
     * The heap now (the MXBean's instantaneous figures, garbage included) and the memory monitor's
     * view: its pressure level and the share of the heap in use after the latest collection.
     */
    private Map<String, Object> memory() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heap_used", heap.getUsed());
        m.put("heap_max", heap.getMax());
        m.put("heap_committed", heap.getCommitted());
        Infrastructure i = infra;
        MemoryMonitor monitor = i == null ? null : i.memory();
        if (monitor == null) {
            m.put("level", "n/a");
            return m;
        }
        MemoryMonitor.Status status = monitor.status();
        m.put("level", status.level().label());
        m.put("occupancy_after_gc", status.occupancy());
        m.put("used_after_gc", status.usedBytes());
        m.put("time_in_level_ms", status.timeInLevel());
        return m;
    }

    // ---- HTTP

    private void handle(HttpExchange exchange) {
        requests.incrementAndGet();
        try {
            route(exchange);
        } catch (IOException e) {
            // the client went away
            exchange.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dashboard request failed", e);
            try {
                error(exchange, DashboardErrorCode.INTERNAL, "the dashboard failed: " + e);
            } catch (IOException ignored) {
                exchange.close();
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        headers(exchange);
        String refused = refusedPath(path);
        if (refused != null) {
            error(exchange, DashboardErrorCode.BAD_REQUEST, refused);
            return;
        }
        switch (path) {
            case "/bulwark", "/bulwark/", "/bulwark/index.html" -> {
                if (get(exchange, method)) {
                    resource(exchange, "index.html");
                }
            }
            case "/bulwark/health/live" -> {
                if (get(exchange, method)) {
                    health(exchange, HealthGroup.LIVENESS);
                }
            }
            case "/bulwark/health/ready" -> {
                if (get(exchange, method)) {
                    health(exchange, HealthGroup.READINESS);
                }
            }
            case "/bulwark/status" -> {
                if (get(exchange, method)) {
                    json(exchange, 200, Json.write(statusJson()));
                }
            }
            case "/bulwark/events" -> {
                if (get(exchange, method)) {
                    events(exchange);
                }
            }
            case "/bulwark/metrics" -> {
                if (get(exchange, method)) {
                    metrics(exchange);
                }
            }
            default -> {
                if (path.startsWith("/bulwark/assets/")) {
                    String name = path.substring("/bulwark/assets/".length());
                    if (!resources.has(name)) {
                        error(exchange, DashboardErrorCode.NOT_FOUND, "no resource " + name);
                    } else if (get(exchange, method)) {
                        resource(exchange, name);
                    }
                } else if (path.startsWith("/bulwark/breakers/")) {
                    action(exchange, method, path.substring("/bulwark/breakers/".length()));
                } else {
                    error(exchange, DashboardErrorCode.NOT_FOUND, "nothing at " + path);
                }
            }
        }
    }

    /** Why a raw path is refused, or null: dot segments, encoded dots or separators, backslashes, control characters. */
    static String refusedPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return "a path starts with '/'";
        }
        String lower = rawPath.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")
                || lower.contains("%25") || rawPath.indexOf('\\') >= 0) {
            return "encoded dots, separators and escapes are refused";
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "dot segments are refused";
            }
        }
        for (int i = 0; i < rawPath.length(); i++) {
            if (rawPath.charAt(i) < 0x20 || rawPath.charAt(i) == 0x7f) {
                return "control characters are refused";
            }
        }
        return null;
    }

    private static void headers(HttpExchange exchange) {
        exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
    }

    private boolean get(HttpExchange exchange, String method) throws IOException {
        if ("GET".equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET");
        error(exchange, DashboardErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed here; use GET");
        return false;
    }

    private void resource(HttpExchange exchange, String name) throws IOException {
        StaticResources.Resource r = resources.get(name);
        exchange.getResponseHeaders().set("Content-Type", r.contentType());
        send(exchange, 200, r.bytes());
    }

    private void json(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        send(exchange, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    private void error(HttpExchange exchange, DashboardErrorCode code, String message) throws IOException {
        InfraError error = InfraError.of(code, message);
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", error.code());
        e.put("type", error.type().toString());
        e.put("message", error.message());
        body.put("error", e);
        json(exchange, code.httpStatus(), Json.write(body));
    }

    // ---- health

    /** A report as the dashboard answers it: its status (for the HTTP code) and its JSON body. */
    private record Answer(HealthStatus status, Map<String, Object> body) {
    }

    /** The report of {@code group} of the infrastructure's health registry; DOWN once the infrastructure is closed. */
    private Answer report(HealthGroup group) {
        Infrastructure i = infra;
        Map<String, Object> body = new LinkedHashMap<>();
        if (i == null || !i.isRunning()) {
            body.put("status", HealthStatus.DOWN.name());
            body.put("checks", Map.of("infrastructure", Map.of("status", HealthStatus.DOWN.name(),
                    "details", Map.of("reason", i == null ? "not started" : "closed"))));
            return new Answer(HealthStatus.DOWN, body);
        }
        HealthReport report = i.health().report(group);
        body.put("status", report.status().name());
        Map<String, Object> checks = new LinkedHashMap<>();
        report.checks().forEach((name, check) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("status", check.status().name());
            c.put("details", check.details());
            c.put("duration_ms", check.duration());
            c.put("cached_at", check.cachedAt());
            checks.put(name, c);
        });
        body.put("checks", checks);
        return new Answer(report.status(), body);
    }

    private void health(HttpExchange exchange, HealthGroup group) throws IOException {
        Answer answer = report(group);
        json(exchange, answer.status().httpStatus(), Json.write(answer.body()));
    }

    /** The two reports as the page shows them: each status and each check's status and details. */
    private Map<String, Object> healthSummary() {
        Map<String, Object> live = report(HealthGroup.LIVENESS).body();
        Map<String, Object> ready = report(HealthGroup.READINESS).body();
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("live", live.get("status"));
        health.put("ready", ready.get("status"));
        health.put("checks", ready.get("checks"));
        health.put("live_checks", live.get("checks"));
        return health;
    }

    // ---- status

    private Map<String, Object> statusJson() {
        Infrastructure i = infra;
        InfrastructureStatus s = i.status();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("running", s.running());
        out.put("started_at", s.startedAt());
        out.put("uptime_ms", s.uptime());
        out.put("dropped_events", s.droppedEvents());
        out.put("handler_failures", s.handlerFailures());
        out.put("scheduler_failures", s.schedulerFailures());
        out.put("health", healthSummary());
        List<Map<String, Object>> breakers = new ArrayList<>();
        for (Stats b : i.circuitBreakers().snapshot().breakers().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name());
            m.put("state", b.state().label());
            m.put("ok", b.okCount());
            m.put("melts", b.meltCount());
            m.put("rejected", b.rejectedCount());
            m.put("failure_rate", b.failureRate());
            m.put("time_in_state_ms", b.timeInState());
            m.put("retry_after_ms", b.retryAfter());
            breakers.add(m);
        }
        out.put("breakers", breakers);
        out.put("protections", i.protectionKeys());
        Map<String, Object> components = new LinkedHashMap<>();
        s.components().forEach((name, status) -> components.put(name, status));
        out.put("components", components);
        Map<String, Object> live = new LinkedHashMap<>();
        live.put("tick_ms", config.tick());
        live.put("history", stats.history());
        live.put("top_denied", stats.topDenied(config.topEntities()));
        out.put("live", live);
        out.put("memory", memory());
        out.put("actions_enabled", config.actionsEnabled());
        return out;
    }

    // ---- events endpoint

    private void events(HttpExchange exchange) throws IOException {
        List<String> backlog;
        synchronized (eventLog) {
            backlog = new ArrayList<>(eventLog);
        }
        if (!stream.open(exchange, backlog)) {
            exchange.getResponseHeaders().set("Retry-After", "5");
            error(exchange, DashboardErrorCode.TOO_MANY_CLIENTS,
                    "the event stream has its maximum of " + config.maxStreamClients() + " clients");
        }
    }

    // ---- metrics endpoint

    private void metrics(HttpExchange exchange) throws IOException {
        if (prometheus == null) {
            error(exchange, DashboardErrorCode.NOT_FOUND,
                    "no Prometheus registry: give one to BulwarkDashboard.builder().prometheusRegistry(...)");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        send(exchange, 200, prometheus.get().getBytes(StandardCharsets.UTF_8));
    }

    // ---- actions

    private void action(HttpExchange exchange, String method, String rest) throws IOException {
        int slash = rest.lastIndexOf('/');
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        String rawName = slash < 0 ? "" : rest.substring(0, slash);
        if (rawName.isEmpty() || rawName.contains("/") || !Set.of("reset", "disable", "enable").contains(action)) {
            error(exchange, DashboardErrorCode.NOT_FOUND, "no action at /bulwark/breakers/" + rest);
            return;
        }
        if (!"POST".equals(method)) {
            exchange.getResponseHeaders().set("Allow", "POST");
            error(exchange, DashboardErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed here; use POST");
            return;
        }
        drain(exchange.getRequestBody());
        if (!config.actionsEnabled()) {
            error(exchange, DashboardErrorCode.FORBIDDEN, "actions are off; enable them with BulwarkDashboard.builder().actionsToken(...)");
            return;
        }
        if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"bulwark\"");
            error(exchange, DashboardErrorCode.UNAUTHORIZED, "a valid bearer token is required");
            return;
        }
        String name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        Result<State> result = switch (action) {
            case "reset" -> infra.circuitBreakers().reset(name);
            case "disable" -> infra.circuitBreakers().disable(name);
            default -> infra.circuitBreakers().enable(name);
        };
        if (result.isErr()) {
            error(exchange, DashboardErrorCode.NOT_FOUND, result.errValue().orElseThrow().message());
            return;
        }
        State state = result.getOrThrow();
        if (actionChannel.isActive()) {
            actionChannel.emit(Map.of(), Map.of(EventKeys.NAME, name, "action", action, "to", state.label()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("action", action);
        body.put("state", state.label());
        json(exchange, 200, Json.write(body));
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, config.actionsToken().getBytes(StandardCharsets.UTF_8));
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[1024];
        int total = 0;
        int n;
        while (total < 64 * 1024 && (n = in.read(buffer)) > 0) {
            total += n;
        }
    }

    @Override
    public String toString() {
        return "BulwarkDashboard[" + config + "]";
    }

    /** Builds a {@link BulwarkDashboard}, validating each setting as it is given; not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private Duration heartbeat = Duration.ofSeconds(15);
        private Duration tick = Duration.ofSeconds(1);
        private int maxStreamClients = 8;
        private int clientQueueFrames = 1024;
        private int maxStreamedPerTick = 200;
        private int eventLogSize = 200;
        private int historyTicks = 300;
        private int maxKeys = 50;
        private int topEntities = 10;
        private String actionsToken;
        private Supplier<String> prometheus;

        private Builder() {
        }

        /** The address to bind; {@code 127.0.0.1} by default. Binding another exposes the dashboard beyond the host. */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must be non-blank, was " + (host == null ? "null" : "'" + host + "'"));
            }
            this.host = host;
            return this;
        }

        /** The port; 8080 by default, 0 for an ephemeral one (see {@link BulwarkDashboard#address()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
            }
            this.port = port;
            return this;
        }

        /** How long an idle event stream waits before sending a heartbeat; 15 s by default. */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = positive("heartbeat", heartbeat);
            return this;
        }

        /** How often the live figures are closed and streamed as a {@code tick}; 1 s by default. */
        public Builder tick(Duration tick) {
            this.tick = positive("tick", tick);
            if (tick.toMillis() < 1) {
                throw new IllegalArgumentException("tick must be at least 1 ms, was " + tick);
            }
            return this;
        }

        /** Event-stream clients at a time (8 by default); one more is answered 503. */
        public Builder maxStreamClients(int max) {
            this.maxStreamClients = atLeastOne("maxStreamClients", max);
            return this;
        }

        /** Frames a client may lag behind before it is dropped (1024 by default). */
        public Builder clientQueueFrames(int frames) {
            this.clientQueueFrames = atLeastOne("clientQueueFrames", frames);
            return this;
        }

        /** Discrete events streamed per tick (200 by default); the rest are counted as suppressed. */
        public Builder maxStreamedPerTick(int max) {
            this.maxStreamedPerTick = atLeastOne("maxStreamedPerTick", max);
            return this;
        }

        /** Events replayed to a client that connects (200 by default). */
        public Builder eventLogSize(int size) {
            this.eventLogSize = atLeastOne("eventLogSize", size);
            return this;
        }

        /** Ticks kept for the charts (300 by default: five minutes at one tick a second). */
        public Builder historyTicks(int ticks) {
            this.historyTicks = atLeastOne("historyTicks", ticks);
            return this;
        }

        /** Protection keys and breaker names the live figures track (50 by default). */
        public Builder maxKeys(int max) {
            this.maxKeys = atLeastOne("maxKeys", max);
            return this;
        }

        /** Entities in the most-denied table (10 by default). */
        public Builder topEntities(int k) {
            this.topEntities = atLeastOne("topEntities", k);
            return this;
        }

        /**
         * Turns the state-changing actions on, behind this bearer token (at least 16 characters).
         * They are off by default.
         */
        public Builder actionsToken(String token) {
            if (token == null || token.strip().length() < 16) {
                throw new IllegalArgumentException("actionsToken must have at least 16 characters, had "
                        + (token == null ? "none (null)" : token.strip().length()));
            }
            this.actionsToken = token.strip();
            return this;
        }

        /**
         * Serves {@code /bulwark/metrics} from this registry (an
         * {@code io.micrometer.prometheusmetrics.PrometheusMeterRegistry}; micrometer-registry-prometheus
         * must be on the class path).
         *
         * @throws IllegalArgumentException if {@code registry} is not a PrometheusMeterRegistry
         */
        public Builder prometheusRegistry(Object registry) {
            Objects.requireNonNull(registry, "registry");
            try {
                this.prometheus = PrometheusScrape.of(registry);
            } catch (ClassCastException | NoClassDefFoundError e) {
                throw new IllegalArgumentException("registry must be a PrometheusMeterRegistry, was "
                        + registry.getClass().getName(), e);
            }
            return this;
        }

        /** Serves {@code /bulwark/metrics} from this supplier of Prometheus text. */
        public Builder prometheusText(Supplier<String> scrape) {
            this.prometheus = Objects.requireNonNull(scrape, "scrape");
            return this;
        }

        /** The configuration as given so far. */
        public DashboardConfig config() {
            return new DashboardConfig(host, port, heartbeat, tick, maxStreamClients, clientQueueFrames,
                    maxStreamedPerTick, eventLogSize, historyTicks, maxKeys, topEntities, actionsToken);
        }

        /**
         * The dashboard as a module: installed with {@code Infrastructure.builder().install(...)}, it
         * registers its error codes (75xx) and events, shows its {@link Status} in
         * {@code infra.status()} under {@value #COMPONENT_NAME}, starts listening once the
         * infrastructure is built, and stops with it. {@code infra.component(BulwarkDashboard.class)}
         * finds it (for its {@link BulwarkDashboard#address() address}).
         */
        public BulwarkModule asModule() {
            BulwarkDashboard dashboard = new BulwarkDashboard(config(), prometheus);
            return new BulwarkModule() {
                @Override
                public String name() {
                    return COMPONENT_NAME;
                }

                @Override
                public void install(ModuleContext context) {
                    dashboard.install(context);
                }

                @Override
                public String toString() {
                    return "BulwarkDashboard module[" + dashboard.config + "]";
                }
            };
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static int atLeastOne(String what, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, was " + value);
            }
            return value;
        }
    }
}
