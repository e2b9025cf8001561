package dev.bulwark.telemetry;

import java.util.Set;

/** One attached handler: its id, what it listens to (exact names or name prefixes) and the handler. */
final class Registration {

    final String id;
    final Set<EventName> exactNames;
    final EventName prefix;
    /** With a prefix: names under it that the handler does not listen to. */
    final Set<EventName> excluded;
    final TelemetryHandler handler;
    volatile boolean detached;

    Registration(String id, Set<EventName> exactNames, EventName prefix, TelemetryHandler handler) {
        this(id, exactNames, prefix, Set.of(), handler);
    }

    Registration(String id, Set<EventName> exactNames, EventName prefix, Set<EventName> excluded, TelemetryHandler handler) {
        this.id = id;
        this.exactNames = exactNames;
        this.prefix = prefix;
        this.excluded = excluded;
        this.handler = handler;
    }

    boolean matches(EventName name) {
        return prefix != null ? name.startsWith(prefix) && !excluded.contains(name) : exactNames.contains(name);
    }
}
