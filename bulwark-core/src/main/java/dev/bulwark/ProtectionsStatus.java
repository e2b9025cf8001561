package dev.bulwark;

import dev.bulwark.spi.ComponentStatus;
import java.util.List;
import java.util.Map;

/**
 * The named protections of an {@link Infrastructure}, as shown in {@link Infrastructure#status()}.
 *
 * @param protections each key (sorted) and the slots of its stages, in pipeline order
 */
public record ProtectionsStatus(Map<String, List<String>> protections) implements ComponentStatus {
}
