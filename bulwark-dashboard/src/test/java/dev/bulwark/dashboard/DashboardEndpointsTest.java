package dev.bulwark.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.micrometer.BulwarkMetrics;
import dev.bulwark.pipeline.RetryConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP, on an ephemeral port of 127.0.0.1. */
class DashboardEndpointsTest {

    static final String TOKEN = "s3cret-token-0123456789";
    private Infrastructure infra;

    private InetSocketAddress start(BulwarkDashboard.Builder dashboard) {
        // checks run on the probing thread: liveness's first report is not UNKNOWN (docs/health.md)
        infra = Infrastructure.builder().executor(Runnable::run).install(dashboard.port(0).asModule()).build();
        return infra.component(BulwarkDashboard.class).orElseThrow().address();
    }

    @AfterEach
    void stop() {
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void bindsTheLoopbackAddressByDefault() {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        assertThat(address.getAddress().isLoopbackAddress()).isTrue();
        assertThat(BulwarkDashboard.builder().config().host()).isEqualTo("127.0.0.1");
        assertThat(BulwarkDashboard.builder().config().actionsEnabled()).isFalse();
    }

    @Test
    void thePerCallEventsThePageDoesNotUseStayInactive() {
        start(BulwarkDashboard.builder());
        dev.bulwark.telemetry.Telemetry t = infra.telemetry();
        assertThat(t.isListening(t.name(dev.bulwark.telemetry.Events.CIRCUIT_BREAKER_CALL_EXECUTED))).isFalse();
        assertThat(t.isListening(t.name(dev.bulwark.telemetry.Events.RETRY_SCHEDULED))).isFalse();
        assertThat(t.isListening(t.name(dev.bulwark.telemetry.Events.PROTECTION_EXECUTED))).isTrue();
        assertThat(t.isListening(t.name(dev.bulwark.telemetry.Events.CIRCUIT_BREAKER_STATE_CHANGE))).isTrue();
        assertThat(t.isListening(t.name(dev.bulwark.telemetry.Events.RATE_LIMITER_REQUEST_DENIED))).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void statusIsJsonWithEveryComponentAndTheBreakers() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        infra.circuitBreakers().install("payments", CircuitBreakerConfig.builder().consecutiveFailures(1).build());
        infra.circuitBreakers().execute("payments", () -> {
            throw new IOException("down");
        });
        infra.configureProtection("orders", Protection.builder().retry(RetryConfig.defaults()).build());

        Http.Response r = Http.get(address, "/bulwark/status");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        Map<String, Object> status = MiniJson.object(r.body());
        assertThat(status).containsKeys("running", "started_at", "uptime_ms", "health", "breakers", "protections",
                "components", "live", "memory", "actions_enabled");
        assertThat(status).containsEntry("running", true).containsEntry("actions_enabled", false);
        List<Map<String, Object>> breakers = (List<Map<String, Object>>) status.get("breakers");
        assertThat(breakers).singleElement().satisfies(b -> assertThat(b)
                .containsEntry("name", "payments").containsEntry("state", "open")
                .containsEntry("melts", 1.0).containsKeys("ok", "rejected", "failure_rate", "retry_after_ms"));
        assertThat((List<Object>) status.get("protections")).containsExactly("orders");
        Map<String, Object> components = (Map<String, Object>) status.get("components");
        assertThat(components).containsKeys("circuit_breakers", "rate_limiter", "protections", "dashboard");
        assertThat((Map<String, Object>) components.get("dashboard")).containsEntry("actionsEnabled", false);
        assertThat((Map<String, Object>) status.get("live")).containsKeys("tick_ms", "history", "top_denied");
        assertThat((Map<String, Object>) status.get("health")).containsEntry("live", "UP").containsEntry("ready", "DEGRADED");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        for (String path : List.of("/", "/other", "/bulwark/nothing", "/bulwark/assets/missing.js", "/bulwark/status/x",
                "/bulwark/breakers/db/explode")) {
            Http.Response r = Http.get(address, path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(MiniJson.object(r.body())).as(path).extractingByKey("error")
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("code", 7503.0);
        }
        for (String path : List.of("/bulwark/status", "/bulwark/health/live", "/bulwark/health/ready", "/bulwark/events",
                "/bulwark/metrics", "/bulwark/", "/bulwark/assets/app.js")) {
            for (String method : List.of("POST", "PUT", "DELETE")) {
                Http.Response r = Http.request(address, method, path);
                assertThat(r.status()).as(method + " " + path).isEqualTo(405);
                assertThat(r.header("Allow")).isEqualTo("GET");
                assertThat(r.body()).contains("7504");
            }
        }
        Http.Response getAction = Http.get(address, "/bulwark/breakers/db/reset");
        assertThat(getAction.status()).isEqualTo(405);
        assertThat(getAction.header("Allow")).isEqualTo("POST");
    }

    @Test
    void nothingIsServedOutsideThePagesOwnResources() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        assertThat(Http.get(address, "/bulwark/assets/app.js").status()).isEqualTo(200);
        List<String> attempts = List.of(
                "/bulwark/assets/../../../../etc/passwd",
                "/bulwark/assets/..%2f..%2fBulwarkDashboard.class",
                "/bulwark/assets/%2e%2e/%2e%2e/etc/passwd",
                "/bulwark/assets/%2E%2E%2Fmodule-info.class",
                "/bulwark/assets/..\\..\\BulwarkDashboard.class",
                "/bulwark/../bulwark/assets/app.js",
                "/bulwark/./status",
                "/bulwark/assets/%252e%252e/x",
                "/bulwark/assets/app.js%00.html",
                "/bulwark/assets/static/app.js",
                "/bulwark/assets//etc/passwd",
                "/bulwark/assets/BulwarkDashboard.class",
                "/bulwark/assets/dev/bulwark/dashboard/Json.class",
                "/etc/passwd");
        for (String path : attempts) {
            Http.Response r = Http.get(address, path);
            assertThat(r.status()).as(path).isIn(400, 404);
            assertThat(r.body()).as(path).doesNotContain("root:").doesNotContain("\u00ca\u00fe\u00ba\u00be")
                    .doesNotContain("function (");
        }
        assertThat(BulwarkDashboard.refusedPath("/bulwark/assets/a..b.js")).isNull();
    }

    @Test
    void everyAnswerForbidsExternalContent() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        for (String path : List.of("/bulwark/", "/bulwark/assets/app.js", "/bulwark/status", "/nothing")) {
            Http.Response r = Http.get(address, path);
            assertThat(r.header("Content-Security-Policy")).as(path).startsWith("default-src 'self'");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        String page = Http.get(address, "/bulwark/").body();
        assertThat(page).doesNotContain("http://", "https://", "//cdn").contains("/bulwark/assets/app.js");
        // the SVG namespace is a name, not an address that is fetched
        assertThat(Http.get(address, "/bulwark/assets/app.js").body().replace("'http://www.w3.org/2000/svg'", ""))
                .doesNotContain("http://", "https://", "//cdn");
        assertThat(Http.get(address, "/bulwark/assets/style.css").body()).doesNotContain("http", "@import", "url(");
    }

    @Test
    void actionsAreOffByDefault() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        infra.circuitBreakers().install("db");
        infra.circuitBreakers().disable("db");
        Http.Response r = Http.request(address, "POST", "/bulwark/breakers/db/enable", "Authorization: Bearer " + TOKEN);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("7502");
        assertThat(infra.circuitBreakers().get("db").orElseThrow().state()).isEqualTo(State.DISABLED);
    }

    @Test
    void actionsNeedTheBearerToken() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder().actionsToken(TOKEN));
        infra.circuitBreakers().install("db");
        for (String[] headers : List.of(new String[0], new String[] {"Authorization: Bearer wrong-token-0123456789"},
                new String[] {"Authorization: Basic " + TOKEN}, new String[] {"Authorization: Bearer"},
                new String[] {"Authorization: Bearer " + TOKEN + "x"})) {
            Http.Response r = Http.request(address, "POST", "/bulwark/breakers/db/disable", headers);
            assertThat(r.status()).as(String.join(",", headers)).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(r.body()).contains("7501");
        }
        assertThat(infra.circuitBreakers().get("db").orElseThrow().state()).isEqualTo(State.CLOSED);

        Http.Response ok = Http.request(address, "POST", "/bulwark/breakers/db/disable", "Authorization: Bearer " + TOKEN);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(MiniJson.object(ok.body())).containsEntry("state", "disabled").containsEntry("action", "disable");
        assertThat(infra.circuitBreakers().get("db").orElseThrow().state()).isEqualTo(State.DISABLED);
        assertThat(Http.request(address, "POST", "/bulwark/breakers/db/enable", "Authorization: Bearer " + TOKEN).status())
                .isEqualTo(200);
        assertThat(infra.circuitBreakers().get("db").orElseThrow().state()).isEqualTo(State.CLOSED);
        assertThat(Http.request(address, "POST", "/bulwark/breakers/db/reset", "Authorization: Bearer " + TOKEN).status())
                .isEqualTo(200);
        Http.Response unknown = Http.request(address, "POST", "/bulwark/breakers/nope/reset", "Authorization: Bearer " + TOKEN);
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void theTokenIsValidatedAndNeverPrinted() {
        assertThatThrownBy(() -> BulwarkDashboard.builder().actionsToken("short"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("actionsToken must have at least 16 characters, had 5");
        assertThat(BulwarkDashboard.builder().actionsToken(TOKEN).config().toString()).doesNotContain(TOKEN);
        assertThatThrownBy(() -> BulwarkDashboard.builder().port(70_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be in [0, 65535], was 70000");
        assertThatThrownBy(() -> BulwarkDashboard.builder().heartbeat(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("heartbeat must be positive, was PT0S");
        assertThatThrownBy(() -> BulwarkDashboard.builder().prometheusRegistry("not a registry"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PrometheusMeterRegistry");
    }

    @Test
    void theErrorCodesAreInTheCatalogue() {
        start(BulwarkDashboard.builder());
        for (DashboardErrorCode code : DashboardErrorCode.values()) {
            assertThat(infra.errorCodes().find(code.code())).contains(code);
            assertThat(code.code()).isBetween(7500, 7599);
        }
    }

    @Test
    void metricsServeThePrometheusText() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        infra = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry))
                .install(BulwarkDashboard.builder().port(0).prometheusRegistry(registry).asModule()).build();
        InetSocketAddress address = infra.component(BulwarkDashboard.class).orElseThrow().address();
        infra.circuitBreakers().install("db").execute(() -> "ok");
        Http.Response r = Http.get(address, "/bulwark/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body()).contains("bulwark_circuit_breaker_state{name=\"db\"} 0")
                .contains("bulwark_circuit_breaker_calls_seconds_count{name=\"db\",status=\"success\"} 1");
    }

    @Test
    void metricsWithoutARegistryAre404() throws IOException {
        InetSocketAddress address = start(BulwarkDashboard.builder());
        Http.Response r = Http.get(address, "/bulwark/metrics");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("prometheusRegistry");
    }
}
