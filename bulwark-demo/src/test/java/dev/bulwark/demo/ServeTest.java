package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --serve}: the scenario in real time behind the dashboard, until stopped. */
class ServeTest {

    @Test
    void servesTheDashboardAndTheMetersWhileTheScenarioRunsInRealTime() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CountDownLatch stop = new CountDownLatch(1);
        Thread server = new Thread(() -> Serve.serve(out, 0, null, stop), "serve-test");
        server.start();
        try {
            Pattern dashboard = Pattern.compile("Dashboard: (http://127\\.0\\.0\\.1:\\d+/bulwark/)");
            await().atMost(20, TimeUnit.SECONDS).until(() -> dashboard.matcher(bytes.toString(StandardCharsets.UTF_8)).find());
            Matcher m = dashboard.matcher(bytes.toString(StandardCharsets.UTF_8));
            assertThat(m.find()).isTrue();
            String url = m.group(1);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>Bulwark</title>");
            // the simulation's users reach the protection in real time: its meters count
            await().atMost(20, TimeUnit.SECONDS).until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(url + "metrics")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().contains("bulwark_protection_calls_seconds_count{key=\"inventory\",outcome=\"success\"}"));
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(url + "status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.body()).contains("\"name\":\"inventory\"");
        } finally {
            stop.countDown();
            server.join(10_000);
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Bulwark demo: one simulated minute");
    }
}
