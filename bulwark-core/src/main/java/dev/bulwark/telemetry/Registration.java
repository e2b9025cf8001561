package dev.bulwark.telemetry;

import java.util.Set;

/** One attached handler: its id, what it listens to (exact names or name prefixes) and the handler. */
final class Registration {

    final String id;
    final Set<EventName> exactNames;
    final EventName prefix;
    final TelemetryHandler handler;
    volatile boolean detached;

    Registration(String id, Set<EventName> exactNames, EventName prefix, TelemetryHandler handler) {
        this.id = id;
        this.exactNames = exactNames;
        this.prefix = prefix;
        this.handler = handler;
    }

    boolean matches(EventName name) {
        return prefix != null ? name.startsWith(prefix) : exactNames.contains(name);
    }
}
