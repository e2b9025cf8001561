package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.State;
import dev.bulwark.memory.MemoryPressure;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.spring.app.FakeDependencies;
import dev.bulwark.spring.app.ShopApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The starter in a running application, through real HTTP requests: {@code @Protected} methods
 * (success, the breaker opening, fallbacks, asynchronous), the breaker counting each attempt of a
 * retried call once, the rate-limit filter's 429, readiness and liveness from core's health reports,
 * memory thresholds and the shed stage from application.yaml, the actuator endpoint and its secured
 * write. One context for all (state is reset before each test).
 */
@SpringBootTest(classes = ShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("http")
class ShopHttpTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    FakeDependencies client;

    @Autowired
    Infrastructure infra;

    private final String apiKey = UUID.randomUUID().toString();

    @BeforeEach
    void healthyDependencies() {
        client.inventoryDown.set(false);
        client.pricingDown.set(false);
        client.paymentsDown.set(false);
        client.inventoryCalls.set(0);
        client.pricingCalls.set(0);
        client.catalogCalls.set(0);
        client.reportCalls.set(0);
        client.heap.set(MemoryReading.ofOccupancy(0.3));
        infra.memory().refresh();
        for (String name : infra.circuitBreakers().list()) {
            infra.circuitBreakers().enable(name);
            infra.circuitBreakers().reset(name);
        }
    }

    private static tools.jackson.databind.JsonNode json(HttpResponse<String> response) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(response.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("X-Api-Key", apiKey)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json, String basicAuth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-Api-Key", apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (basicAuth != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basicAuth.getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHealthyDependencyAnswersThroughTheProtection() throws Exception {
        HttpResponse<String> r = get("/api/stock/sku-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"available\":42").contains("\"source\":\"inventory\"");
        assertThat(infra.protectionStatus("inventory").getOrThrow().successes()).isPositive();
    }

    @Test
    void aFailingDependencyOpensTheBreakerAndTheFallbackMethodAnswers() throws Exception {
        client.inventoryDown.set(true);
        HttpResponse<String> first = get("/api/stock/sku-1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("fallback after 7003");          // the three attempts failed
        assertThat(infra.circuitBreakers().get("inventory").orElseThrow().state()).isEqualTo(State.OPEN);

        HttpResponse<String> second = get("/api/stock/sku-1");
        assertThat(second.body()).contains("fallback after 5004");         // the open breaker rejects
        assertThat(client.inventoryCalls).hasValue(3);                       // the rejected call never ran
    }

    @Test
    void aFailedCallWithRetryIsCountedOncePerAttemptByTheBreakerNeverMore() throws Exception {
        var before = infra.circuitBreakers().get("inventory").orElseThrow().stats();
        client.inventoryDown.set(true);
        get("/api/stock/sku-1");
        var after = infra.circuitBreakers().get("inventory").orElseThrow().stats();
        // one protected call, three attempts (retry max-attempts 3): the dependency was called three
        // times and the breaker counted exactly those three failures; no second layer counts again
        assertThat(client.inventoryCalls).hasValue(3);
        assertThat(after.meltCount() - before.meltCount()).isEqualTo(3);
        assertThat(after.okCount() - before.okCount()).isZero();
    }

    @Autowired
    dev.bulwark.spring.app.InventoryClient inventory;

    @Test
    void theBreakerOpeningDuringTheRetriesStopsThemTheDependencySeesOnlyWhatTheBreakerCounted() {
        client.catalogCalls.set(0);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> inventory.catalog("page-1"));
        // retry max-attempts 3 around a breaker that opens on 2 consecutive failures: the third attempt
        // is refused by the open breaker (5004) and never sent; the retries end there (7003, last error 5004)
        assertThat(client.catalogCalls).hasValue(2);
        assertThat(infra.circuitBreakers().get("catalog").orElseThrow().state()).isEqualTo(State.OPEN);
        assertThat(infra.circuitBreakers().get("catalog").orElseThrow().stats().meltCount()).isEqualTo(2);
        assertThat(thrown).isInstanceOfSatisfying(dev.bulwark.error.InfraException.class, e -> {
            assertThat(e.code()).isEqualTo(7003);
            assertThat(e.error().context()).containsEntry("last_error_code", 5004);
        });
    }

    @Test
    void anAsynchronousMethodGetsTheConfiguredFallbackValueInItsOwnType() throws Exception {
        assertThat(get("/api/price/sku-1").body()).isEqualTo("1999");
        client.pricingDown.set(true);
        HttpResponse<String> r = get("/api/price/sku-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("0");                                 // fallback value 0, as an Integer
        assertThat(client.pricingCalls).hasValue(3);                          // 1 + 2 attempts
    }

    @Test
    void theFilterAnswers429WithRateLimitHeadersOnceTheCallerSpentItsLimit() throws Exception {
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> ok = get("/api/stock/sku-" + i);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=5;w=3600");
            String remaining = "\"api\";r=" + (5 - i) + ";t=";
            assertThat(ok.headers().firstValue("RateLimit")).hasValueSatisfying(v -> assertThat(v).startsWith(remaining));
        }
        HttpResponse<String> denied = get("/api/stock/sku-6");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=5;w=3600");
        assertThat(denied.headers().firstValue("RateLimit")).hasValueSatisfying(v -> assertThat(v).matches("\"api\";r=0;t=\\d+"));
        long retryAfter = Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow());
        assertThat(denied.headers().firstValue("RateLimit")).hasValue("\"api\";r=0;t=" + retryAfter);
        assertThat(retryAfter).isBetween(1L, 2 * 3600L);        // sliding window: up to 1.2 windows
        assertThat(denied.body()).contains("\"code\":6001");
        assertThat(client.inventoryCalls).hasValue(5);                       // the denied request never reached the service
    }

    @Test
    void readinessIsDegradedWhileABreakerIsOpenAndDownWhileACriticalOneIsLivenessStaysUp() throws Exception {
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").body()).contains("\"status\":\"UP\"");

        client.inventoryDown.set(true);
        get("/api/stock/sku-1");                                             // inventory opens
        HttpResponse<String> degraded = get("/actuator/health/readiness");
        assertThat(degraded.statusCode()).isEqualTo(200);
        assertThat(json(degraded).path("status").asString()).isEqualTo("DEGRADED");
        assertThat(json(degraded).at("/components/bulwark/details/circuitBreakers/inventory").asString()).isEqualTo("OPEN");

        client.paymentsDown.set(true);
        post("/api/pay/o-1", "", null);
        post("/api/pay/o-2", "", null);                                      // payments (critical) opens
        assertThat(infra.circuitBreakers().get("payments").orElseThrow().state()).isEqualTo(State.OPEN);
        HttpResponse<String> down = get("/actuator/health/readiness");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(json(down).path("status").asString()).isEqualTo("DOWN");
        assertThat(json(down).at("/components/bulwark/details/circuitBreakers/payments").asString()).isEqualTo("OPEN (critical)");

        assertThat(json(down).at("/components/bulwark/details/checks/circuit_breaker.payments/status").asString())
                .isEqualTo("DOWN");                                          // core's readiness report, check by check
        assertThat(json(down).at("/components/bulwark/details/checks/circuit_breaker.inventory/status").asString())
                .isEqualTo("DEGRADED");

        HttpResponse<String> liveness = get("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(json(liveness).path("status").asString()).isEqualTo("UP");
        var livenessChecks = json(liveness).at("/components/bulwarkLiveness/details/checks");
        assertThat(livenessChecks.propertyNames()).contains("deadlocks", "scheduler", "memory")
                .noneMatch(name -> name.startsWith("circuit_breaker."));     // core's liveness: the process only
        assertThat(json(liveness).at("/components/bulwark").isMissingNode()).isTrue();
    }

    @Test
    void theMemoryThresholdsAndTheShedStageOfApplicationYamlShedSheddableWorkFirst() throws Exception {
        // application-http.yaml: memory.elevated-at 0.6, critical-at 0.8; protections.reports.shed: true
        assertThat(infra.memory().config()).isEqualTo(dev.bulwark.memory.MemoryConfig.builder().elevatedAt(0.6)
                .criticalAt(0.8).build());
        client.heap.set(MemoryReading.ofOccupancy(0.65));                    // NORMAL under the default 0.8
        assertThat(infra.memory().refresh()).isEqualTo(MemoryPressure.ELEVATED);

        Throwable shed = org.assertj.core.api.Assertions.catchThrowable(() -> inventory.report("monday"));
        assertThat(shed).isInstanceOfSatisfying(dev.bulwark.error.InfraException.class, e -> {
            assertThat(e.code()).isEqualTo(7201);
            assertThat(e.error().httpStatus()).isEqualTo(503);
        });
        assertThat(client.reportCalls).hasValue(0);                          // shed work never ran
        assertThat(inventory.urgentReport("monday")).isEqualTo("urgent report monday");   // DEFAULT runs at ELEVATED

        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(json(readiness).path("status").asString()).isEqualTo("DEGRADED");
        assertThat(json(readiness).at("/components/bulwark/details/checks/memory_pressure/level").asString()).isEqualTo("elevated");
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        client.heap.set(MemoryReading.ofOccupancy(0.85));
        assertThat(infra.memory().refresh()).isEqualTo(MemoryPressure.CRITICAL);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> inventory.urgentReport("monday")))
                .isInstanceOfSatisfying(dev.bulwark.error.InfraException.class, e -> assertThat(e.code()).isEqualTo(7201));
        assertThat(client.reportCalls).hasValue(1);

        client.heap.set(MemoryReading.ofOccupancy(0.3));
        assertThat(infra.memory().refresh()).isEqualTo(MemoryPressure.NORMAL);
        assertThat(inventory.report("tuesday")).isEqualTo("report tuesday");
        assertThat(json(get("/actuator/health/readiness")).path("status").asString()).isEqualTo("UP");
    }

    @Test
    void theEndpointListsBreakersProtectionsAndLimits() throws Exception {
        get("/api/stock/sku-1");
        HttpResponse<String> r = get("/actuator/bulwark");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"circuitBreakers\":{").contains("\"inventory\":{\"state\":\"CLOSED\"")
                .contains("\"payments\":{\"state\":\"CLOSED\",\"critical\":true")
                .contains("\"protections\":{").contains("\"stages\":[\"retry\",\"circuit_breaker\"]")
                .contains("\"rules\":{\"api\":{").contains("\"source\":\"Spring environment\"");
        assertThat(get("/actuator/bulwark/inventory").body()).startsWith("{\"state\":\"CLOSED\"");
    }

    @Test
    void theEndpointsWriteNeedsCredentialsAndResetsOrDisablesABreaker() throws Exception {
        client.inventoryDown.set(true);
        get("/api/stock/sku-1");
        assertThat(infra.circuitBreakers().get("inventory").orElseThrow().state()).isEqualTo(State.OPEN);

        assertThat(post("/actuator/bulwark/inventory", "{\"action\":\"reset\"}", null).statusCode()).isEqualTo(401);
        assertThat(post("/actuator/bulwark/inventory", "{\"action\":\"reset\"}", "ops:wrong").statusCode()).isEqualTo(401);
        assertThat(infra.circuitBreakers().get("inventory").orElseThrow().state()).isEqualTo(State.OPEN);

        HttpResponse<String> reset = post("/actuator/bulwark/inventory", "{\"action\":\"reset\"}", "ops:secret");
        assertThat(reset.statusCode()).isEqualTo(200);
        assertThat(reset.body()).contains("\"state\":\"CLOSED\"");
        assertThat(infra.circuitBreakers().get("inventory").orElseThrow().state()).isEqualTo(State.CLOSED);

        HttpResponse<String> disable = post("/actuator/bulwark/inventory", "{\"action\":\"disable\"}", "ops:secret");
        assertThat(disable.body()).contains("\"state\":\"DISABLED\"");
        client.inventoryDown.set(false);
        int calls = client.inventoryCalls.get();
        assertThat(get("/api/stock/sku-1").body()).contains("fallback after");    // the disabled breaker rejects
        assertThat(client.inventoryCalls).hasValue(calls);
        assertThat(post("/actuator/bulwark/nope", "{\"action\":\"reset\"}", "ops:secret").statusCode()).isEqualTo(404);
        assertThat(post("/actuator/bulwark/inventory", "{\"action\":\"explode\"}", "ops:secret").statusCode()).isEqualTo(400);
    }

    @Test
    void bulwarksMetersAreInTheApplicationsRegistry() throws Exception {
        assertThat(isPresent(BulwarkMetricsAutoConfiguration.MODULE)).as("bulwark-micrometer on the test class path").isTrue();
        get("/api/stock/sku-1");
        HttpResponse<String> metrics = get("/actuator/metrics");
        assertThat(metrics.body()).contains("bulwark.circuit_breaker.calls").contains("bulwark.protection.calls");
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
