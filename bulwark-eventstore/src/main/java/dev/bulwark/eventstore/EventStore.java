package dev.bulwark.eventstore;

import dev.bulwark.spi.ComponentStatus;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where protection events are kept: the embedded {@link FileEventStore} (the default) or the
 * {@link PostgresEventStore}. The {@link EventRecorder} writes into it from its writer thread; anyone
 * may query it, at any time, from any thread (a dashboard finds it with
 * {@code infra.component(EventStore.class)}).
 *
 * <p>Implementations are thread-safe; {@link #append} is called by one writer at a time.
 */
public interface EventStore extends AutoCloseable {

    /** What kind of store this is: {@code file} or {@code postgresql}. */
    String kind();

    /**
     * Writes a batch, all or nothing as far as the store can tell (a batch whose outcome is unknown
     * after a failure is never written twice by the PostgreSQL store; the file store cuts a partly
     * written batch off again). Returns when the batch is written (and synced, as the store's
     * policy says).
     *
     * @throws dev.bulwark.error.InfraException 7401 if it cannot be written now (retry later), 7406 if the store is closed
     */
    void append(List<StoredEvent> batch);

    /**
     * The records that match {@code query}, in time order, at most {@code query.limit()} of them,
     * read lazily: close the stream (try-with-resources) to release what it holds.
     *
     * @throws dev.bulwark.error.InfraException 7404 if the store cannot be read, 7406 if it is closed
     */
    Stream<StoredEvent> query(EventQuery query);

    /** All matching records as a list (a convenience over {@link #query}). */
    default List<StoredEvent> list(EventQuery query) {
        try (Stream<StoredEvent> events = query(query)) {
            return events.toList();
        }
    }

    /**
     * Periodic upkeep, called by the recorder's writer about once a second: a due fsync, retention,
     * partitions created ahead. Never throws for a failure of the backend (it is retried next time).
     */
    void maintain();

    /** The store's typed status. */
    ComponentStatus status();

    /** Syncs and releases files or connections. Idempotent. */
    @Override
    void close();
}
