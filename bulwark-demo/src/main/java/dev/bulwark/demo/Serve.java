package dev.bulwark.demo;

import dev.bulwark.Infrastructure;
import dev.bulwark.dashboard.BulwarkDashboard;
import dev.bulwark.micrometer.BulwarkMetrics;
import dev.bulwark.micrometer.MetricsConfig;
import dev.bulwark.time.ManualClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar bulwark-demo.jar --serve [--port N] [--token T]}: the demo's scenario in real
 * time, the minute repeated for ever (the outage and mallory's flood come back every minute), with
 * the dashboard at {@code http://127.0.0.1:8080/bulwark/} and the Micrometer meters at
 * {@code /bulwark/metrics}; it serves until stopped (Ctrl-C). {@code --token} turns the dashboard's
 * breaker actions on behind that bearer token.
 *
 * <p>The simulation keeps its manual clock and its single thread: a pump advances the clock to the
 * real time elapsed every 10 ms, so every reply, timeout and backoff still happens at its
 * simulated time, which is now the real one.
 */
final class Serve {

    private Serve() {
    }

    static void main(String[] args) {
        int port = 8080;
        String token = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--serve" -> { }
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                case "--token" -> token = value(args, ++i, "--token");
                default -> {
                    System.err.println("unknown argument '" + args[i] + "'; usage: --serve [--port N] [--token T]");
                    System.exit(2);
                }
            }
        }
        serve(System.out, port, token, null);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /**
     * Serves until {@code stop} counts down (or, when null, until the JVM stops).
     *
     * @return the dashboard's page address (once stopped)
     */
    static String serve(PrintStream out, int port, String token, CountDownLatch stop) {
        ManualClock clock = new ManualClock();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BulwarkDashboard.Builder dashboard = BulwarkDashboard.builder().port(port).prometheusRegistry(registry);
        if (token != null) {
            dashboard.actionsToken(token);
        }
        FlakyInventory inventory = new FlakyInventory(clock, Demo.OUTAGE_START, Demo.OUTAGE_END, 42, Demo.LENGTH);
        Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run)
                .install(BulwarkMetrics.bindTo(registry, MetricsConfig.builder().protectionHistogram(true).build()))
                .install(dashboard.asModule())
                .install(Demo.pools(inventory))
                .build();
        ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-demo-clock");
            t.setDaemon(true);
            return t;
        });
        String url = infra.component(BulwarkDashboard.class).orElseThrow().url();
        pump.execute(() -> Demo.start(out, clock, infra, inventory, new Tally(), true));
        long begin = System.nanoTime();
        pump.scheduleAtFixedRate(() -> {
            Duration behind = Duration.ofNanos(System.nanoTime() - begin).minus(clock.elapsed());
            if (!behind.isNegative() && !behind.isZero()) {
                clock.advance(behind);
            }
        }, 10, 10, TimeUnit.MILLISECONDS);
        out.println();
        out.println("Dashboard: " + url + "   (meters: " + url + "metrics"
                + (token == null ? "; breaker actions off" : "; breaker actions on, bearer token given") + ")");
        out.println("The scenario runs in real time, a minute at a time, until stopped (Ctrl-C).");
        out.println();
        Runnable shutdown = () -> {
            pump.shutdownNow();
            try {
                pump.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            infra.close();
        };
        if (stop == null) {
            Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "bulwark-demo-stop"));
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return url;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown.run();
        }
        return url;
    }
}
