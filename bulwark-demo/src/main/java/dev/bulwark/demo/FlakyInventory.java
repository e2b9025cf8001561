package dev.bulwark.demo;

import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The simulated remote dependency: an inventory service on the simulation's clock. It answers in
 * 20 ms and fails now and then while healthy; during its outage it either refuses connections
 * after 50 ms or hangs for two seconds; then it recovers. Replies arrive when the clock reaches
 * their time, as a network reply would.
 */
final class FlakyInventory {

    /** What the dependency is going through. */
    enum Health { HEALTHY, OUTAGE, RECOVERED }

    private final ManualClock clock;
    private final Duration outageStart;
    private final Duration outageEnd;
    private final Random random;
    private final Duration cycle;
    private long calls;
    private int connections;

    FlakyInventory(ManualClock clock, Duration outageStart, Duration outageEnd, long seed) {
        this(clock, outageStart, outageEnd, seed, null);
    }

    /** A service whose outage comes back every {@code cycle} (null: once). */
    FlakyInventory(ManualClock clock, Duration outageStart, Duration outageEnd, long seed, Duration cycle) {
        this.clock = clock;
        this.outageStart = outageStart;
        this.outageEnd = outageEnd;
        this.random = new Random(seed);
        this.cycle = cycle;
    }

    Health health() {
        Duration now = cycle == null ? clock.elapsed() : Duration.ofNanos(clock.elapsed().toNanos() % cycle.toNanos());
        return now.compareTo(outageStart) < 0 ? Health.HEALTHY : now.compareTo(outageEnd) < 0 ? Health.OUTAGE : Health.RECOVERED;
    }

    long calls() {
        return calls;
    }

    /** A client connection to the service (what the demo's pool holds). */
    final class Connection {
        private final int id;

        private Connection(int id) {
            this.id = id;
        }

        /** One stock lookup on this connection. */
        CompletionStage<String> stock(String sku) {
            return FlakyInventory.this.stock(sku);
        }

        @Override
        public String toString() {
            return "inventory connection #" + id;
        }
    }

    /** Opens a client connection (instantly: the outage is in the answers, not the handshake). */
    Connection connect() {
        return new Connection(++connections);
    }

    /** One stock lookup. */
    CompletionStage<String> stock(String sku) {
        calls++;
        CompletableFuture<String> reply = new CompletableFuture<>();
        Health health = health();
        if (health == Health.OUTAGE) {
            if (random.nextBoolean()) {
                later(50, () -> reply.completeExceptionally(new IOException("connection refused")));
            } else {
                later(2_000, () -> reply.complete(sku + ": 12 in stock (too late)"));
            }
        } else if (random.nextInt(100) < 8) {
            later(20, () -> reply.completeExceptionally(new IOException("connection reset by peer")));
        } else {
            int stock = 10 + random.nextInt(30);
            later(20, () -> reply.complete(sku + ": " + stock + " in stock"));
        }
        return reply;
    }

    private void later(long millis, Runnable reply) {
        clock.schedule(Duration.ofMillis(millis).toNanos(), reply);
    }
}
