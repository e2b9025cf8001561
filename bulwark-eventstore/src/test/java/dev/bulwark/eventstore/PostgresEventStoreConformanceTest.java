package dev.bulwark.eventstore;

import dev.bulwark.eventstore.support.PostgresAvailability;
import dev.bulwark.eventstore.support.RequiresPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The conformance suite on PostgreSQL, in a schema of its own (dropped afterwards), with hourly partitions. */
@RequiresPostgres
class PostgresEventStoreConformanceTest extends EventStoreConformanceTest {

    private final String schema = PostgresAvailability.randomSchema("conformance");

    @Override
    protected EventStore open() {
        return PostgresEventStore.builder().jdbcUrl(PostgresAvailability.URL).schema(schema)
                .partitionInterval(Duration.ofHours(1)).build();
    }

    @Override
    protected EventStore reopen() {
        return open();
    }

    @AfterEach
    void dropSchema() {
        PostgresAvailability.dropSchema(schema);
    }
}
