package dev.bulwark.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.pipeline.RetryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium):
 * it loads with no console error and no request outside the dashboard, a breaker opened by the
 * test turns its tile to the open state within 2 s, the charts show points, the event log shows
 * the transition, and the health checks and memory pressure follow core's reports. A screenshot
 * goes to target/dashboard.png in each run.
 */
class DashboardBrowserTest {

    private Infrastructure infra;
    private ChromeDriver driver;
    private ScheduledExecutorService traffic;
    private Path profile;
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));

    /** A pool's figures with the fields of bulwark-pool's PoolStatus: the page shows any status of that shape. */
    record PoolFigures(String name, int maxSize, int maxOverflow, int idle, int active, int waiters, int overflow,
                       long created, long destroyed, long timeouts, long rejections, long leaks, String breaker)
            implements ComponentStatus {
    }

    private static BulwarkModule pool(PoolFigures figures) {
        return new BulwarkModule() {
            @Override
            public String name() {
                return "pool_" + figures.name();
            }

            @Override
            public void install(ModuleContext context) {
                context.register(name(), figures, () -> figures, null);
            }
        };
    }

    @BeforeEach
    void start(TestInfo test) throws IOException {
        RequiresChromium.check();
        Infrastructure.Builder builder = Infrastructure.builder();
        if (test.getTestMethod().orElseThrow().getName().equals("thePageShowsTheBreakersChartsAndEventsLive")) {
            builder.install(pool(new PoolFigures("db", 10, 5, 0, 12, 3, 2, 12, 0, 7, 1, 0, "closed")));
        }
        infra = builder.memorySource(heap::get).install(BulwarkDashboard.builder().port(0)
                .tick(Duration.ofMillis(250)).heartbeat(Duration.ofSeconds(1)).asModule()).build();
        infra.circuitBreakers().install("payments", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .reset(Duration.ofHours(1)).build());
        infra.circuitBreakers().install("inventory", CircuitBreakerConfig.builder().consecutiveFailures(50).build());
        infra.configureProtection("orders", Protection.builder()
                .rateLimitPerCaller("orders.create", 60, Duration.ofSeconds(1))
                .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build())
                .circuitBreaker("inventory").build());
        AtomicLong n = new AtomicLong();
        traffic = Executors.newSingleThreadScheduledExecutor();
        traffic.scheduleAtFixedRate(() -> {
            for (int i = 0; i < 5; i++) {
                long k = n.incrementAndGet();
                infra.executeProtected("orders", "user:" + (k % 4), () -> {
                    long spin = System.nanoTime() + 200_000 + (k % 10) * 100_000;
                    while (System.nanoTime() < spin) {
                        Thread.onSpinWait();
                    }
                    if (k % 7 == 0) {
                        throw new IOException("flaky");
                    }
                    return "ok";
                });
            }
        }, 0, 20, TimeUnit.MILLISECONDS);

        profile = Files.createTempDirectory("bulwark-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(RequiresChromium.CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                "--disable-extensions", "--window-size=1400,1100", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(RequiresChromium.CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (traffic != null) {
            traffic.shutdownNow();
        }
        if (infra != null) {
            infra.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private WebElement tile(String name) {
        return driver.findElement(By.cssSelector(".tile[data-name='" + name + "']"));
    }

    @Test
    void thePageShowsTheBreakersChartsAndEventsLive() throws IOException {
        String url = infra.component(BulwarkDashboard.class).orElseThrow().url();
        String origin = url.substring(0, url.indexOf("/bulwark/"));
        driver.get(url);

        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(10));
        wait.until(d -> !d.findElements(By.cssSelector(".tile[data-name='payments']")).isEmpty());
        assertThat(tile("payments").getAttribute("data-state")).isEqualTo("closed");
        wait.until(d -> "live".equals(d.findElement(By.id("conn")).getText()));

        // open the breaker: its tile turns open within 2 s
        long opened = System.nanoTime();
        infra.circuitBreakers().execute("payments", () -> {
            throw new IOException("payments down");
        });
        new WebDriverWait(driver, Duration.ofSeconds(2)).pollingEvery(Duration.ofMillis(20))
                .until(d -> "open".equals(tile("payments").getAttribute("data-state")));
        Duration took = Duration.ofNanos(System.nanoTime() - opened);
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(tile("payments").getAttribute("class")).contains("state-open");
        assertThat(tile("payments").getText()).contains("closed → open");

        // the event log shows the transition
        wait.until(d -> d.findElements(By.cssSelector("#event-log li[data-event='circuit_breaker.state_change']"))
                .stream().anyMatch(li -> li.getText().contains("name=payments") && li.getText().contains("to=open")));

        // the charts show points
        wait.until(d -> points("latency-chart") >= 2 && points("outcomes-chart") >= 2 && points("denials-chart") >= 2);
        wait.until(d -> !d.findElements(By.cssSelector("#top-denied tbody td.num")).isEmpty());
        assertThat(driver.findElement(By.id("ready")).getText()).isIn("UP", "DEGRADED");

        // health and memory pressure come from core's registry and the memory monitor
        wait.until(d -> "DEGRADED".equals(checkStatus("health", "circuit_breaker.payments")));
        assertThat(driver.findElement(By.id("ready")).getText()).isEqualTo("DEGRADED");
        assertThat(checkStatus("live-health", "deadlocks")).isEqualTo("UP");
        assertThat(driver.findElement(By.id("pressure")).getText()).isEqualTo("normal");
        heap.set(MemoryReading.ofOccupancy(0.85));
        infra.memory().refresh();
        wait.until(d -> "elevated".equals(d.findElement(By.id("pressure")).getText()));
        assertThat(driver.findElement(By.id("heap-text")).getText()).contains("after GC 85 %");
        wait.until(d -> "DEGRADED".equals(checkStatus("health", "memory_pressure")));

        // a pool's figures from its status
        wait.until(d -> text("#pools .pool[data-pool='db']") != null);
        assertThat(text("#pools .pool[data-pool='db']"))
                .contains("db: 12 of 15 active, 0 idle, 3 waiting").contains("7 timeouts").contains("breaker closed");

        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isGreaterThan(10_000);

        List<String> severe = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                severe.add(e.getLevel() + " " + e.getMessage());
            }
        }
        assertThat(severe).as("console errors and warnings").isEmpty();

        List<String> requested = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            String m = e.getMessage();
            if (m.contains("\"Network.requestWillBeSent\"")) {
                int at = m.indexOf("\"url\":\"", m.indexOf("\"request\":"));
                String u = m.substring(at + 7, m.indexOf('"', at + 7));
                if (u.matches("(?i)(https?|wss?|ftp):.*")) {      // the browser's own chrome:// pages are no request
                    requested.add(u);
                }
            }
        }
        assertThat(requested).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(origin + "/bulwark/"));
        assertThat(requested).contains(url, origin + "/bulwark/assets/app.js", origin + "/bulwark/status",
                origin + "/bulwark/events");
    }

    /** The text of the element {@code selector} finds, or null, read in one script (sections are redrawn as figures come). */
    private String text(String selector) {
        return (String) driver.executeScript("var e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                selector);
    }

    /** The status a check list shows for a check, read in one script (the lists are redrawn every tick). */
    private String checkStatus(String list, String check) {
        Object status = driver.executeScript("var li = document.querySelector(\"#" + list + " li[data-check='" + check
                + "']\"); return li ? li.getAttribute('data-status') : null;");
        return (String) status;
    }

    private long points(String chart) {
        Object n = driver.executeScript("var m = 0; document.querySelectorAll('#" + chart + " polyline').forEach("
                + "function (p) { m = Math.max(m, p.getAttribute('points').trim().split(' ').length); }); return m;");
        return ((Number) n).longValue();
    }

    @Test
    void aPageOpenedBeforeAnyTrafficShowsEmptySections() {
        driver.get(infra.component(BulwarkDashboard.class).orElseThrow().url());
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector(".tile")).size() == 2);
        assertThat(driver.findElement(By.id("pools")).getText()).contains("no pool installed");
        assertThat(driver.getTitle()).isEqualTo("Bulwark");
        assertThat(Map.of("ready", driver.findElement(By.id("ready")).getText())).containsKey("ready");
    }
}
