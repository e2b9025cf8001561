package dev.bulwark.health;

import dev.bulwark.spi.Subscription;
import java.time.Duration;

/**
 * A liveness check fed by one of the process's own loops (a consumer loop, a batch scheduler, an
 * event loop): the loop calls {@link #beat()} each time round, and liveness is DOWN once no beat
 * came for longer than {@link #maxSilence()}. Created by {@link HealthRegistry#heartbeat}.
 *
 * <pre>{@code
 * Heartbeat consumer = infra.health().heartbeat("order_consumer", Duration.ofSeconds(30));
 * while (running) {
 *     consumer.beat();
 *     process(queue.poll(1, TimeUnit.SECONDS));
 * }
 * }</pre>
 *
 * <p>It is how an application adds to liveness: a heartbeat measures that the process makes
 * progress, and depends on nothing outside it. {@link #close()} removes it from liveness.
 *
 * <p>Thread-safe; {@link #beat()} is one clock read and one volatile write.
 */
public interface Heartbeat extends Subscription {

    /** The check's name in the liveness report. */
    String name();

    /** How long the loop may stay silent before liveness is DOWN. */
    Duration maxSilence();

    /** Records that the loop is making progress now. */
    void beat();

    /** Removes the heartbeat from liveness; idempotent. */
    @Override
    void close();
}
