package dev.bulwark.telemetry;

/** How {@link Telemetry} delivers events to handlers. */
public enum DispatchMode {
    /** Handlers run on the emitting thread, before {@code emit} returns (the default). */
    SYNCHRONOUS,
    /**
     * Events are queued in a bounded queue and handled on one dispatcher thread; when the queue
     * is full the event is dropped and counted ({@link Telemetry#droppedEvents()}). Emitting
     * never waits.
     */
    ASYNCHRONOUS
}
