package dev.bulwark.config.model;

import java.time.Duration;

/**
 * {@code memory}: the thresholds of the infrastructure's memory monitor ({@code MemoryConfig}), as
 * shares of the heap still in use after collection. Applies when the infrastructure is built;
 * cannot change on a reload.
 *
 * @param elevatedAt          the share from which the level is ELEVATED
 * @param criticalAt          the share from which the level is CRITICAL
 * @param hysteresis          how far below its threshold a reading must fall to leave a level
 * @param criticalGracePeriod how long CRITICAL may last before liveness is DOWN
 * @param pollInterval        how often the monitor reads besides after each collection
 */
public record MemorySettings(
        @Doc(value = "The share of the heap in use after collection, in (0, 1], from which pressure is ELEVATED.",
                defaultValue = "0.8") Double elevatedAt,
        @Doc(value = "The share, in (0, 1], from which pressure is CRITICAL; above elevatedAt.", defaultValue = "0.9") Double criticalAt,
        @Doc(value = "How far below its threshold a reading must fall to leave a level, in [0, 1); below elevatedAt.",
                defaultValue = "0.05") Double hysteresis,
        @Doc(value = "How long CRITICAL may last before liveness is DOWN.", defaultValue = "60s") Duration criticalGracePeriod,
        @Doc(value = "How often the monitor reads besides after each collection.", defaultValue = "1s") Duration pollInterval) {
}
