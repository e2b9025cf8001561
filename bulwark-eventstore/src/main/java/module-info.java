/**
 * Bulwark's protection event log: an {@code EventRecorder} on the telemetry stream writing into an
 * embedded file store (the default) or PostgreSQL, and one query API over both. Installed into an
 * {@code Infrastructure} as a module ({@code EventRecorder.builder().fileStore(path).asModule()}).
 */
module dev.bulwark.eventstore {
    requires transitive dev.bulwark.core;
    requires transitive java.sql;
    requires static org.postgresql.jdbc;
    requires static com.zaxxer.hikari;

    exports dev.bulwark.eventstore;
}
