package dev.bulwark.redis.fleet;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.redis.FleetBreakers;
import dev.bulwark.redis.FleetQuorum;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One instance of {@link FleetBreakerTest}: an {@code Infrastructure} with the fleet breakers
 * module and one breaker, {@code dependency} (3 consecutive failures open it; half-open after
 * {@code openMs} with {@code trialCalls} trials, all of which must succeed), whose calls go to the
 * test's {@link FakeDependency} over a TCP connection per thread. It prints {@code ready}, then one
 * line per event, each with this JVM's wall clock in ms: {@code state <ms> <from> <to> <trigger>} for
 * the breaker, {@code fleet <ms> <event> <reason>} for the fleet's events; on {@code status} it
 * prints {@code status <coordination> <state> <trialLease> <live> <open> <redisReachable>}; on
 * {@code quit} it closes and prints {@code done}.
 *
 * <p>Arguments, {@code name=value}: {@code target} ({@code redis://...} or {@code cluster:uri,uri}),
 * {@code fleet}, {@code prefix}, {@code id}, {@code quorum} (instances), {@code percent},
 * {@code withinMs}, {@code coordinate}, {@code syncMs}, {@code depPort}, {@code threads},
 * {@code openMs}, {@code trialCalls}.
 */
public final class FleetWorker {

    private FleetWorker() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String id = a.get("id");
        int depPort = Integer.parseInt(a.get("depPort"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        int trialCalls = Integer.parseInt(a.getOrDefault("trialCalls", "2"));
        PrintStream out = System.out;

        FleetQuorum quorum = new FleetQuorum(Integer.parseInt(a.getOrDefault("quorum", "0")),
                Double.parseDouble(a.getOrDefault("percent", "0")),
                Duration.ofMillis(Long.parseLong(a.getOrDefault("withinMs", "10000"))));
        FleetBreakers.Builder fleet = FleetBreakers.builder()
                .fleet(a.get("fleet"))
                .keyPrefix(a.get("prefix"))
                .instanceId("instance-" + id)
                .quorum(quorum)
                .coordinateTrials(Boolean.parseBoolean(a.getOrDefault("coordinate", "true")))
                .syncInterval(Duration.ofMillis(Long.parseLong(a.getOrDefault("syncMs", "1000"))))
                .breakers("dependency");
        String target = a.get("target");
        if (target.startsWith("cluster:")) {
            fleet.cluster(target.substring("cluster:".length()).split(","));
        } else {
            fleet.uri(target);
        }
        Telemetry telemetry = Telemetry.create();
        telemetry.attach("worker-state", telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE), (event, m, md) -> {
            if ("dependency".equals(md.get(EventKeys.NAME))) {
                print(out, "state " + System.currentTimeMillis() + " " + md.get(EventKeys.FROM) + " " + md.get(EventKeys.TO)
                        + " " + md.get(EventKeys.TRIGGER));
            }
        });
        for (var type : FleetBreakers.events()) {
            telemetry.attach("worker-" + type.suffix(), telemetry.name(type), (event, m, md) ->
                    print(out, "fleet " + System.currentTimeMillis() + " " + type.suffix().lastSegment() + " "
                            + md.getOrDefault(EventKeys.REASON, "-")));
        }

        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> callers = new ArrayList<>();
        try (Infrastructure infra = Infrastructure.builder().telemetry(telemetry).install(fleet.asModule()).build()) {
            CircuitBreaker breaker = infra.circuitBreakers().install("dependency", CircuitBreakerConfig.builder()
                    .consecutiveFailures(3)
                    .halfOpen(Duration.ofMillis(Long.parseLong(a.getOrDefault("openMs", "1000"))), trialCalls, trialCalls)
                    .trialTimeout(Duration.ofSeconds(2))
                    .build());
            FleetBreakers fleetBreakers = infra.component(FleetBreakers.class).orElseThrow();
            for (int t = 0; t < threads; t++) {
                Thread caller = new Thread(() -> callLoop(breaker, id, depPort, running), "caller-" + t);
                caller.setDaemon(true);
                caller.start();
                callers.add(caller);
            }
            // ready once the signals flow: subscribed, and a first sync answered (a cold cluster client
            // takes seconds to connect on a loaded machine)
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !(fleetBreakers.status().subscribed()
                    && fleetBreakers.status().breakers().get("dependency").liveInstances() > 0)) {
                LockSupport.parkNanos(10_000_000);
            }
            print(out, "ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("quit")) {
                if (line.equals("status")) {
                    FleetBreakers.Status s = fleetBreakers.status();
                    FleetBreakers.BreakerStatus b = s.breakers().get("dependency");
                    print(out, "status " + b.coordination() + " " + b.state() + " " + b.trialLease() + " "
                            + b.liveInstances() + " " + b.openInstances() + " " + s.redisReachable());
                }
            }
            running.set(false);
            for (Thread caller : callers) {
                caller.join(5_000);
            }
        }
        print(out, "done");
    }

    private static synchronized void print(PrintStream out, String line) {
        out.println(line);
        out.flush();
    }

    /** Calls the dependency through the breaker about every 2 ms, over one connection of its own. */
    private static void callLoop(CircuitBreaker breaker, String id, int port, AtomicBoolean running) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            Writer w = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader r = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            while (running.get()) {
                breaker.execute(() -> {
                    w.write(id + "\n");
                    w.flush();
                    String answer = r.readLine();
                    if (!"ok".equals(answer)) {
                        throw new IOException("the dependency failed: " + answer);
                    }
                    return answer;
                });
                LockSupport.parkNanos(2_000_000);   // pacing of the load, not a wait for anything
            }
        } catch (IOException e) {
            if (running.get()) {
                e.printStackTrace();
            }
        }
    }
}
