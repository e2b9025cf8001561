package dev.bulwark.dashboard;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link BulwarkDashboard}; built by {@link BulwarkDashboard.Builder}, which
 * validates each value as it is given.
 *
 * @param host                the address to bind, {@code 127.0.0.1} by default (the dashboard is
 *                            for operators on the host or behind an authenticating proxy)
 * @param port                the port, 0 for an ephemeral one
 * @param heartbeat           how long an idle event stream waits before a heartbeat frame
 * @param tick                how often the live figures (charts, top entities) are closed and streamed
 * @param maxStreamClients    event stream clients at a time; one more is answered 503 (7506)
 * @param clientQueueFrames   frames a client may lag behind before it is dropped
 * @param maxStreamedPerTick  discrete events streamed per tick; the rest are counted as suppressed
 * @param eventLogSize        events kept for a client that connects (the page's event log)
 * @param historyTicks        ticks kept for the charts of a page that loads
 * @param maxKeys             protection keys and breaker names the live figures track (the rest under {@code other})
 * @param topEntities         entities shown in the most-denied table
 * @param actionsToken        the bearer token of the state-changing actions, or null: actions off
 */
public record DashboardConfig(String host, int port, Duration heartbeat, Duration tick, int maxStreamClients,
                              int clientQueueFrames, int maxStreamedPerTick, int eventLogSize, int historyTicks,
                              int maxKeys, int topEntities, String actionsToken) {

    public DashboardConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(tick, "tick");
    }

    /** Whether the state-changing actions are on. */
    public boolean actionsEnabled() {
        return actionsToken != null;
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "DashboardConfig[host=" + host + ", port=" + port + ", heartbeat=" + heartbeat + ", tick=" + tick
                + ", maxStreamClients=" + maxStreamClients + ", clientQueueFrames=" + clientQueueFrames
                + ", maxStreamedPerTick=" + maxStreamedPerTick + ", eventLogSize=" + eventLogSize
                + ", historyTicks=" + historyTicks + ", maxKeys=" + maxKeys + ", topEntities=" + topEntities
                + ", actions=" + (actionsToken == null ? "off" : "on (token set)") + "]";
    }
}
