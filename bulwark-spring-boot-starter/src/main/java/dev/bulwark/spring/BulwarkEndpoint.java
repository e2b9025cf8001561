package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.ProtectionStatus;
import dev.bulwark.Result;
import dev.bulwark.circuit.State;
import dev.bulwark.circuit.Stats;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigStatus;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.spi.ComponentStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The actuator endpoint {@code bulwark}: {@code GET /actuator/bulwark} lists the breakers (state and
 * counts), the protections (stages and outcomes), the rate-limit rules and the limiter, and the
 * configuration; {@code GET /actuator/bulwark/{breaker}} shows one breaker; {@code POST
 * /actuator/bulwark/{breaker}} with {@code {"action": "reset" | "disable" | "enable"}} changes it.
 * Expose it like any endpoint ({@code management.endpoints.web.exposure.include=health,bulwark})
 * and secure its write operation like any actuator write (docs/spring-boot.md).
 */
@Endpoint(id = "bulwark")
public class BulwarkEndpoint {

    private final Infrastructure infrastructure;
    private final BulwarkConfig config;

    BulwarkEndpoint(Infrastructure infrastructure, BulwarkConfig config) {
        this.infrastructure = infrastructure;
        this.config = config;
    }

    /** Breakers, protections, rate limits and the configuration. */
    @ReadOperation
    public Map<String, Object> overview() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> breakers = new LinkedHashMap<>();
        infrastructure.circuitBreakers().snapshot().breakers().forEach((name, stats) -> breakers.put(name, breaker(stats)));
        out.put("circuitBreakers", breakers);
        Map<String, Object> protections = new LinkedHashMap<>();
        for (String key : infrastructure.protectionKeys()) {
            infrastructure.protectionStatus(key).ifOk(status -> protections.put(key, protection(status)));
        }
        out.put("protections", protections);
        Map<String, Object> limits = new LinkedHashMap<>();
        Map<String, Object> rules = new LinkedHashMap<>();
        for (Map.Entry<String, RateLimit> e : config.current().rateLimits().entrySet()) {
            RateLimit r = e.getValue();
            rules.put(e.getKey(), Map.of("limit", r.limit(), "windowMs", r.window().toMillis(),
                    "algorithm", r.algorithm().name().toLowerCase(Locale.ROOT)));
        }
        limits.put("rules", rules);
        limits.put("store", infrastructure.rateLimiter().store().getClass().getSimpleName());
        limits.put("keys", infrastructure.rateLimiter().keyCount());
        out.put("rateLimits", limits);
        ConfigStatus c = config.status();
        out.put("config", Map.of("source", c.source(), "version", c.version(), "rejected", c.rejected()));
        return out;
    }

    /** One breaker. */
    @ReadOperation
    public Map<String, Object> circuitBreaker(@Selector String name) {
        Result<Stats> stats = infrastructure.circuitBreakers().status(name);
        return stats instanceof Result.Ok<Stats> ok ? breaker(ok.value()) : null;
    }

    /**
     * Resets, disables (forces open) or enables a breaker.
     *
     * @param action {@code reset}, {@code disable} or {@code enable}
     * @return the breaker's new state; 404 for an unknown breaker, 400 for an unknown action
     */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> changeCircuitBreaker(@Selector String name, String action) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        if (infrastructure.circuitBreakers().get(name).isEmpty()) {
            out.put("error", "no circuit breaker is named '" + name + "'");
            return new WebEndpointResponse<>(out, WebEndpointResponse.STATUS_NOT_FOUND);
        }
        String chosen = action == null ? "" : action.toLowerCase(Locale.ROOT);
        Result<State> result = switch (chosen) {
            case "reset" -> infrastructure.circuitBreakers().reset(name);
            case "disable" -> infrastructure.circuitBreakers().disable(name);
            case "enable" -> infrastructure.circuitBreakers().enable(name);
            default -> null;
        };
        if (result == null) {
            out.put("error", "action must be reset, disable or enable, was '" + action + "'");
            return new WebEndpointResponse<>(out, WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        out.put("action", chosen);
        out.put("state", result.map(State::name).orElse("unknown"));
        return new WebEndpointResponse<>(out, WebEndpointResponse.STATUS_OK);
    }

    private Map<String, Object> breaker(Stats s) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("state", s.state().name());
        b.put("critical", infrastructure.health().criticalBreakers().contains(s.name()));
        b.put("okCount", s.okCount());
        b.put("meltCount", s.meltCount());
        b.put("rejectedCount", s.rejectedCount());
        b.put("failureRate", s.failureRate());
        b.put("timeInStateMs", s.timeInState().toMillis());
        if (s.retryAfter() != null) {
            b.put("retryAfterMs", s.retryAfter().toMillis());
        }
        return b;
    }

    private static Map<String, Object> protection(ProtectionStatus p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stages", p.parts());
        out.put("calls", p.calls());
        out.put("successes", p.successes());
        out.put("fallbacks", p.fallbacks());
        out.put("failures", p.failures());
        Map<String, Object> stages = new LinkedHashMap<>();
        for (Map.Entry<String, ComponentStatus> e : p.stages().entrySet()) {
            stages.put(e.getKey(), String.valueOf(e.getValue()));
        }
        out.put("stageStatus", stages);
        return out;
    }
}
