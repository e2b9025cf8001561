package dev.bulwark.eventstore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bulwark.error.InfraException;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The event store on PostgreSQL, through the PostgreSQL JDBC driver and a small HikariCP pool.
 * docs/eventstore.md shows the schema.
 *
 * <ul>
 *   <li><b>Schema.</b> Created on start (and again on the first write if the server was down) in
 *       its own schema: {@code events}, partitioned by range of {@code ts}, with JSONB
 *       {@code measurements} and {@code metadata} and indexes on {@code ts}, {@code (component, ts)}
 *       and {@code (entity, ts)}; and {@code batches}, the ledger of written batches.</li>
 *   <li><b>Writes.</b> One transaction per batch: the batch's row in the ledger first, then the rows
 *       by {@code COPY ... FROM STDIN}. A batch whose commit was lost with the connection is found
 *       in the ledger on the next attempt (the ledger row of a transaction still in flight makes
 *       that attempt wait for its outcome), so a retry never writes a record twice.</li>
 *   <li><b>Partitions</b> of {@link Builder#partitionInterval} are created ahead
 *       ({@link Builder#partitionsAhead}) and for any interval a batch reaches. The interval is
 *       the schema's, recorded in its {@code settings} table when it is created: a store opened
 *       later on the same schema with another interval keeps the recorded one (and logs a warning),
 *       so partitions never overlap. <b>Retention</b>
 *       drops whole partitions that end before now minus {@link Builder#maxAge}: far cheaper than
 *       deleting rows.</li>
 *   <li><b>Outages</b> surface as 7401 from {@link #append}; the {@link EventRecorder} buffers and
 *       retries. The pool waits at most {@link Builder#connectionTimeout} for a connection.</li>
 * </ul>
 *
 * <p>Thread-safe: queries use their own connections.
 */
public final class PostgresEventStore implements EventStore {

    private static final System.Logger LOG = System.getLogger(PostgresEventStore.class.getName());
    private static final DateTimeFormatter PARTITION_NAME = DateTimeFormatter.ofPattern("yyyyMMdd'_'HHmm").withZone(ZoneOffset.UTC);
    private static final String TABLE = "events";
    private static final String INTERVAL_SETTING = "partition_interval_minutes";

    private final String schema;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final boolean readOnly;
    private final long configuredIntervalMillis;
    /**
     * The schema's partition interval: the configured one for a new schema, else the one the schema
     * was created with (kept in its {@code settings} table), so that partitions never overlap.
     */
    private volatile long intervalMillis;
    private final int partitionsAhead;
    private final Duration maxAge;
    private final Clock clock;
    private final EventChannel retentionChannel;
    private final UUID writerId = UUID.randomUUID();
    private final Set<Long> knownPartitions = ConcurrentHashMap.newKeySet();
    private final AtomicLong rowsWritten = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong droppedPartitions = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final AtomicLong duplicateBatchesSkipped = new AtomicLong();
    private volatile boolean schemaReady;
    private volatile boolean reachable;
    private volatile String lastError;
    private volatile boolean closed;
    private long nextBatch = 1;
    private long lastMaintenanceNanos = Long.MIN_VALUE;

    private PostgresEventStore(Builder b) {
        this.schema = b.schema;
        this.readOnly = b.readOnly;
        this.configuredIntervalMillis = b.partitionInterval.toMillis();
        this.intervalMillis = configuredIntervalMillis;
        this.partitionsAhead = b.partitionsAhead;
        this.maxAge = b.maxAge;
        this.clock = b.clock;
        Telemetry telemetry = b.telemetry != null ? b.telemetry : Telemetry.create();
        telemetry.declare(List.of(EventStoreEvents.RETENTION_DELETED));
        this.retentionChannel = telemetry.channel(EventStoreEvents.RETENTION_DELETED);
        if (b.dataSource != null) {
            this.dataSource = b.dataSource;
            this.ownedPool = null;
        } else {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(b.jdbcUrl);
            config.setUsername(b.user);
            if (b.password != null) {
                config.setPassword(b.password);
            }
            config.setPoolName("bulwark-eventstore-" + schema);
            config.setMaximumPoolSize(b.maxPoolSize);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(b.connectionTimeout.toMillis());
            config.setValidationTimeout(Math.min(1000, b.connectionTimeout.toMillis()));
            config.setInitializationFailTimeout(-1);
            config.addDataSourceProperty("connectTimeout", Math.max(1, (int) b.connectionTimeout.toSeconds()));
            config.addDataSourceProperty("socketTimeout", Math.max(1, (int) b.socketTimeout.toSeconds()));
            config.addDataSourceProperty("tcpKeepAlive", true);
            config.addDataSourceProperty("ApplicationName", "bulwark-eventstore");
            this.ownedPool = new HikariDataSource(config);
            this.dataSource = ownedPool;
        }
        if (readOnly) {
            return;
        }
        try {
            ensureSchema();
            ensurePartitionsAround(clock.currentTimeMillis());
        } catch (SQLException | RuntimeException e) {
            lastError = e.toString();
            LOG.log(System.Logger.Level.WARNING, "event store schema {0} not created yet (retried on the first write): {1}",
                    schema, e.toString());
        }
    }

    /** 7406 when closed, or when opened {@link Builder#readOnly() read-only}. */
    private void requireWritable() {
        if (closed) {
            throw FileEventStore.fail(EventStoreErrorCode.STORE_CLOSED, "the PostgreSQL event store " + schema + " is closed", null);
        }
        if (readOnly) {
            throw FileEventStore.fail(EventStoreErrorCode.STORE_CLOSED, "the PostgreSQL event store " + schema + " is open read-only", null);
        }
    }

    /** A builder with the defaults: {@code jdbc:postgresql://127.0.0.1:5432/test}, schema {@code bulwark_events}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String kind() {
        return "postgresql";
    }

    /** The schema holding the tables. */
    public String schema() {
        return schema;
    }

    // ---------------------------------------------------------------- schema and partitions

    private void ensureSchema() throws SQLException {
        if (schemaReady) {
            return;
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            String t = schema + "." + TABLE;
            st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            st.execute("CREATE TABLE IF NOT EXISTS " + t + " ("
                    + "ts timestamptz NOT NULL, seq bigserial NOT NULL, name text NOT NULL, kind smallint NOT NULL, "
                    + "count bigint NOT NULL, component text, entity text, "
                    + "measurements jsonb NOT NULL, metadata jsonb NOT NULL) PARTITION BY RANGE (ts)");
            st.execute("CREATE INDEX IF NOT EXISTS events_ts ON " + t + " (ts)");
            st.execute("CREATE INDEX IF NOT EXISTS events_component_ts ON " + t + " (component, ts)");
            st.execute("CREATE INDEX IF NOT EXISTS events_entity_ts ON " + t + " (entity, ts) WHERE entity IS NOT NULL");
            st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".batches (writer uuid NOT NULL, batch bigint NOT NULL, "
                    + "records integer NOT NULL, written_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (writer, batch))");
            intervalMillis = schemaInterval(c, st);
        }
        schemaReady = true;
    }

    /**
     * The partition interval of the schema: recorded by the first store that created it, and kept
     * by every later one whatever it is configured with, because partitions of two intervals would
     * overlap and PostgreSQL refuses to create an overlapping one (so writes in its range would fail).
     */
    private long schemaInterval(Connection c, Statement st) throws SQLException {
        st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".settings (key text PRIMARY KEY, value text NOT NULL)");
        try (PreparedStatement put = c.prepareStatement("INSERT INTO " + schema + ".settings (key, value) VALUES (?, ?) "
                + "ON CONFLICT (key) DO NOTHING")) {
            put.setString(1, INTERVAL_SETTING);
            put.setString(2, Long.toString(configuredIntervalMillis / 60_000L));
            put.executeUpdate();
        }
        long minutes;
        try (PreparedStatement get = c.prepareStatement("SELECT value FROM " + schema + ".settings WHERE key = ?")) {
            get.setString(1, INTERVAL_SETTING);
            try (ResultSet rs = get.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the settings of " + schema + " lost their " + INTERVAL_SETTING);
                }
                minutes = Long.parseLong(rs.getString(1).trim());
            }
        } catch (NumberFormatException e) {
            throw new SQLException("the " + INTERVAL_SETTING + " in " + schema + ".settings is not a number of minutes: " + e.getMessage(), e);
        }
        long recorded = minutes * 60_000L;
        if (recorded != configuredIntervalMillis) {
            LOG.log(System.Logger.Level.WARNING, "event store schema {0} was created with partitions of {1}; the configured {2} "
                    + "applies only to a new schema (drop the schema, or use another, to change it)",
                    schema, Duration.ofMillis(recorded), Duration.ofMillis(configuredIntervalMillis));
        }
        return recorded;
    }

    /** The partition interval in use: the configured one, or the one of the schema when it already existed with another. */
    public Duration partitionInterval() {
        return Duration.ofMillis(intervalMillis);
    }

    private static long floor(long ts, long interval) {
        return Math.floorDiv(ts, interval) * interval;
    }

    private void ensurePartitionsAround(long nowMillis) throws SQLException {
        TreeSet<Long> starts = new TreeSet<>();
        long current = floor(nowMillis, intervalMillis);
        for (int i = -1; i <= partitionsAhead; i++) {
            starts.add(current + i * intervalMillis);
        }
        ensurePartitions(starts);
    }

    private void ensurePartitions(Set<Long> starts) throws SQLException {
        List<Long> missing = new ArrayList<>();
        for (Long s : starts) {
            if (!knownPartitions.contains(s)) {
                missing.add(s);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            for (long start : missing) {
                String sql = "CREATE TABLE IF NOT EXISTS " + schema + "." + partitionName(start) + " PARTITION OF "
                        + schema + "." + TABLE + " FOR VALUES FROM ('" + Instant.ofEpochMilli(start) + "') TO ('"
                        + Instant.ofEpochMilli(start + intervalMillis) + "')";
                try {
                    st.execute(sql);
                } catch (SQLException raced) {
                    // another writer created it at the same moment: IF NOT EXISTS is not atomic in the catalogue
                    if (!"42P07".equals(raced.getSQLState()) && !"23505".equals(raced.getSQLState())) {
                        throw raced;
                    }
                }
                knownPartitions.add(start);
            }
        }
    }

    /** The name of the partition starting at {@code startMillis}, e.g. {@code events_p20250101_0000}. */
    static String partitionName(long startMillis) {
        return TABLE + "_p" + PARTITION_NAME.format(Instant.ofEpochMilli(startMillis));
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the batch in one transaction ({@code COPY}), with its row in the batch ledger. If the
     * previous attempt's outcome was lost, the ledger tells: a batch already committed is not
     * written again; only the records this batch has beyond it are.
     *
     * @throws InfraException 7401 if PostgreSQL cannot be reached or refuses the write, 7406 if closed or read-only
     */
    @Override
    public synchronized void append(List<StoredEvent> batch) {
        requireWritable();
        if (batch.isEmpty()) {
            return;
        }
        try {
            ensureSchema();
            TreeSet<Long> starts = new TreeSet<>();
            for (StoredEvent e : batch) {
                starts.add(floor(e.timestampMillis(), intervalMillis));
            }
            ensurePartitions(starts);
            List<StoredEvent> rest = batch;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    int done = claim(c, nextBatch, rest.size());
                    if (done >= 0) {
                        // the previous attempt did commit: its records are the head of this batch
                        c.rollback();
                        duplicateBatchesSkipped.incrementAndGet();
                        rowsWritten.addAndGet(done);
                        batches.incrementAndGet();
                        nextBatch++;
                        rest = rest.subList(Math.min(done, rest.size()), rest.size());
                        if (rest.isEmpty()) {
                            reachable = true;
                            lastError = null;
                            return;
                        }
                        if (claim(c, nextBatch, rest.size()) >= 0) {
                            throw new SQLException("batch " + nextBatch + " of writer " + writerId + " exists twice");
                        }
                    }
                    copy(c, rest);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the connection is gone; the ledger decides on the next attempt
                    }
                    throw e;
                }
            }
            nextBatch++;
            rowsWritten.addAndGet(rest.size());
            batches.incrementAndGet();
            reachable = true;
            lastError = null;
        } catch (SQLException | RuntimeException e) {
            failedWrites.incrementAndGet();
            reachable = false;
            lastError = e.toString();
            if (e instanceof InfraException ie) {
                throw ie;
            }
            throw FileEventStore.fail(EventStoreErrorCode.STORE_UNAVAILABLE,
                    "writing " + batch.size() + " events to PostgreSQL schema " + schema + " failed: " + e, e);
        }
    }

    /**
     * Inserts the ledger row of batch {@code n}; returns -1 when inserted, or the record count of
     * the batch committed earlier under that number. An uncommitted row of a lost attempt makes
     * this wait until that transaction ends, so the answer is never a guess.
     */
    private int claim(Connection c, long n, int records) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".batches (writer, batch, records) "
                + "VALUES (?, ?, ?) ON CONFLICT (writer, batch) DO NOTHING")) {
            ps.setObject(1, writerId);
            ps.setLong(2, n);
            ps.setInt(3, records);
            if (ps.executeUpdate() == 1) {
                return -1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT records FROM " + schema + ".batches WHERE writer = ? AND batch = ?")) {
            ps.setObject(1, writerId);
            ps.setLong(2, n);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("batch " + n + " conflicted but is not in the ledger");
                }
                return rs.getInt(1);
            }
        }
    }

    private void copy(Connection c, List<StoredEvent> rows) throws SQLException {
        StringBuilder sb = new StringBuilder(rows.size() * 200);
        for (StoredEvent e : rows) {
            sb.append(Instant.ofEpochMilli(e.timestampMillis())).append('\t');
            copyText(sb, e.name());
            sb.append('\t').append(e.kind().ordinal()).append('\t').append(e.count()).append('\t');
            copyNullable(sb, e.component());
            sb.append('\t');
            copyNullable(sb, e.entity());
            sb.append('\t');
            copyText(sb, FlatJson.write(e.measurements()));
            sb.append('\t');
            copyText(sb, FlatJson.write(e.metadata()));
            sb.append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema + "." + TABLE
                + " (ts, name, kind, count, component, entity, measurements, metadata) FROM STDIN");
        try {
            in.writeToCopy(bytes, 0, bytes.length);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static void copyNullable(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("\\N");
        } else {
            copyText(sb, s);
        }
    }

    /** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
    private static void copyText(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case 0 -> sb.append('\uFFFD');
                default -> sb.append(ch);
            }
        }
    }

    // ---------------------------------------------------------------- upkeep

    /** Every 30 s of the clock: partitions ahead, retention. Failures are logged and retried next time. */
    @Override
    public void maintain() {
        long now = clock.nanoTime();
        if (closed || readOnly || (lastMaintenanceNanos != Long.MIN_VALUE && now - lastMaintenanceNanos < 30_000_000_000L)) {
            return;
        }
        lastMaintenanceNanos = now;
        try {
            ensureSchema();
            ensurePartitionsAround(clock.currentTimeMillis());
            applyRetention();
        } catch (SQLException | RuntimeException e) {
            lastError = e.toString();
            LOG.log(System.Logger.Level.WARNING, "event store upkeep in schema {0} failed: {1}", schema, e.toString());
        }
    }

    /** Creates the partitions from one interval before now to {@link Builder#partitionsAhead} after. */
    public void createPartitionsAhead() {
        requireWritable();
        try {
            ensureSchema();
            ensurePartitionsAround(clock.currentTimeMillis());
        } catch (SQLException e) {
            throw FileEventStore.fail(EventStoreErrorCode.STORE_UNAVAILABLE, "creating partitions in " + schema + " failed: " + e, e);
        }
    }

    /** The partitions of the events table, oldest first. */
    public List<String> partitions() {
        List<String> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT child.relname FROM pg_inherits i "
                     + "JOIN pg_class child ON child.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent "
                     + "JOIN pg_namespace n ON n.oid = parent.relnamespace WHERE n.nspname = ? AND parent.relname = ? "
                     + "ORDER BY child.relname")) {
            ps.setString(1, schema);
            ps.setString(2, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw FileEventStore.fail(EventStoreErrorCode.QUERY_FAILED, "listing partitions of " + schema + " failed: " + e, e);
        }
        return names;
    }

    /**
     * Drops the partitions that end before now minus {@link Builder#maxAge} (nothing without a
     * maximum age) and forgets ledger rows as old; returns how many partitions were dropped.
     */
    public int applyRetention() {
        requireWritable();
        if (maxAge == null) {
            return 0;
        }
        long cutoff = clock.currentTimeMillis() - maxAge.toMillis();
        int dropped = 0;
        for (String name : partitions()) {
            long start;
            try {
                start = PARTITION_NAME.parse(name.substring(TABLE.length() + 2), Instant::from).toEpochMilli();
            } catch (RuntimeException notOurs) {
                continue;
            }
            if (start + intervalMillis > cutoff) {
                continue;
            }
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                long bytes = -1;
                try (ResultSet rs = st.executeQuery("SELECT pg_total_relation_size('" + schema + "." + name + "')")) {
                    if (rs.next()) {
                        bytes = rs.getLong(1);
                    }
                }
                st.execute("DROP TABLE IF EXISTS " + schema + "." + name);
                st.execute("DELETE FROM " + schema + ".batches WHERE written_at < '" + Instant.ofEpochMilli(cutoff) + "'");
                knownPartitions.remove(start);
                droppedPartitions.incrementAndGet();
                dropped++;
                if (retentionChannel.isActive()) {
                    retentionChannel.emit(Map.of(EventStoreEvents.EVENTS, -1L, EventStoreEvents.BYTES_KEY, bytes),
                            Map.of(EventStoreEvents.STORE, kind(), EventStoreEvents.REASON, "age", EventStoreEvents.UNIT,
                                    schema + "." + name));
                }
            } catch (SQLException e) {
                throw FileEventStore.fail(EventStoreErrorCode.STORE_UNAVAILABLE, "dropping " + name + " failed: " + e, e);
            }
        }
        return dropped;
    }

    // ---------------------------------------------------------------- reading

    /**
     * The matching records in time order, read through a cursor (500 rows at a time) on a
     * connection of its own, which closing the stream releases.
     *
     * @throws InfraException 7404 if PostgreSQL cannot be queried, 7406 if closed
     */
    @Override
    public Stream<StoredEvent> query(EventQuery query) {
        Objects.requireNonNull(query, "query");
        if (closed) {
            throw FileEventStore.fail(EventStoreErrorCode.STORE_CLOSED, "the PostgreSQL event store " + schema + " is closed", null);
        }
        StringBuilder sql = new StringBuilder("SELECT (extract(epoch FROM ts) * 1000)::bigint, name, kind, count, component, "
                + "entity, measurements::text, metadata::text FROM " + schema + "." + TABLE + " WHERE true");
        List<Object> params = new ArrayList<>();
        if (query.from() != Long.MIN_VALUE) {
            sql.append(" AND ts >= ?");
            params.add(OffsetDateTime.ofInstant(Instant.ofEpochMilli(query.from()), ZoneOffset.UTC));
        }
        if (query.to() != Long.MAX_VALUE) {
            sql.append(" AND ts < ?");
            params.add(OffsetDateTime.ofInstant(Instant.ofEpochMilli(query.to()), ZoneOffset.UTC));
        }
        if (query.namePrefix() != null) {
            sql.append(" AND (name = ? OR name LIKE ? ESCAPE '\\')");
            params.add(query.namePrefix());
            params.add(query.namePrefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%");
        }
        if (query.component() != null) {
            sql.append(" AND component = ?");
            params.add(query.component());
        }
        if (query.entity() != null) {
            sql.append(" AND entity = ?");
            params.add(query.entity());
        }
        sql.append(" ORDER BY ts, seq");
        if (query.limit() != Long.MAX_VALUE) {
            sql.append(" LIMIT ").append(query.limit());
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setReadOnly(true);
            PreparedStatement ps = c.prepareStatement(sql.toString());
            ps.setFetchSize(500);
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            ResultSet rs = ps.executeQuery();
            Rows rows = new Rows(c, ps, rs);
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED | Spliterator.NONNULL),
                    false).onClose(rows::close);
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // failing anyway
                }
            }
            throw FileEventStore.fail(EventStoreErrorCode.QUERY_FAILED, "querying PostgreSQL schema " + schema + " failed: " + e, e);
        }
    }

    private final class Rows implements Iterator<StoredEvent> {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rs;
        private StoredEvent next;
        private boolean done;

        Rows(Connection connection, PreparedStatement statement, ResultSet rs) {
            this.connection = connection;
            this.statement = statement;
            this.rs = rs;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                if (!rs.next()) {
                    close();
                    return false;
                }
                next = new StoredEvent(rs.getLong(1), rs.getString(2), StoredEvent.Kind.values()[rs.getShort(3)],
                        rs.getLong(4), rs.getString(5), rs.getString(6), FlatJson.parseNumbers(rs.getString(7)),
                        FlatJson.parseStrings(rs.getString(8)));
                return true;
            } catch (SQLException e) {
                close();
                throw FileEventStore.fail(EventStoreErrorCode.QUERY_FAILED, "reading events from " + schema + " failed: " + e, e);
            }
        }

        @Override
        public StoredEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            StoredEvent e = next;
            next = null;
            return e;
        }

        void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                rs.close();
                statement.close();
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection goes back (or is evicted) anyway
            } finally {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // evicted by the pool
                }
            }
        }
    }

    // ---------------------------------------------------------------- status and close

    /** A snapshot: schema, reachability, partitions known, rows and batches written, retention, errors. */
    @Override
    public Status status() {
        return new Status(schema, reachable, knownPartitions.size(), rowsWritten.get(), batches.get(),
                duplicateBatchesSkipped.get(), droppedPartitions.get(), failedWrites.get(), lastError);
    }

    /**
     * The status of a {@link PostgresEventStore}.
     *
     * @param schema                  the schema of the tables
     * @param reachable               whether the last write succeeded
     * @param partitions              partitions this store created or found
     * @param rowsWritten             records written
     * @param batches                 batches committed
     * @param duplicateBatchesSkipped retries that found their batch already committed (a commit whose answer was lost)
     * @param droppedPartitions       partitions dropped by retention
     * @param failedWrites            writes that failed
     * @param lastError               the last error, or null after a success
     */
    public record Status(String schema, boolean reachable, int partitions, long rowsWritten, long batches,
                         long duplicateBatchesSkipped, long droppedPartitions, long failedWrites, String lastError)
            implements ComponentStatus {
    }

    /** Closes the pool (if this store made it). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresEventStore[" + schema + "]";
    }

    /** Builds a {@link PostgresEventStore}; not thread-safe. */
    public static final class Builder {
        private String jdbcUrl = "jdbc:postgresql://127.0.0.1:5432/test";
        private String user = "postgres";
        private String password;
        private DataSource dataSource;
        private String schema = "bulwark_events";
        private boolean readOnly;
        private Duration partitionInterval = Duration.ofDays(1);
        private int partitionsAhead = 2;
        private Duration maxAge;
        private int maxPoolSize = 2;
        private Duration connectionTimeout = Duration.ofSeconds(2);
        private Duration socketTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.system();
        private Telemetry telemetry;

        private Builder() {
        }

        /** The JDBC URL (default {@code jdbc:postgresql://127.0.0.1:5432/test}). */
        public Builder jdbcUrl(String url) {
            Objects.requireNonNull(url, "url");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql:, was '" + url + "'");
            }
            this.jdbcUrl = url;
            return this;
        }

        /** The user (default {@code postgres}) and password (null for none). */
        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = password;
            return this;
        }

        /** Use this data source (not closed by the store) instead of a pool of the store's own. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The schema of the tables (default {@code bulwark_events}): lower-case letters, digits and '_'. */
        public Builder schema(String schema) {
            Objects.requireNonNull(schema, "schema");
            if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("schema must be lower-case letters, digits and '_' (at most 63), was '"
                        + schema + "'");
            }
            this.schema = schema;
            return this;
        }

        /**
         * Open for queries only: nothing is created (no schema, table or partition), and
         * {@link PostgresEventStore#append}, {@link PostgresEventStore#applyRetention} and
         * {@link PostgresEventStore#createPartitionsAhead} answer 7406.
         * The query command opens stores this way, so a mistyped schema is an error, not a new schema.
         */
        public Builder readOnly() {
            this.readOnly = true;
            return this;
        }

        /** The span of one partition (default 1 day, at least 1 minute, whole minutes). */
        public Builder partitionInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMinutes() < 1 || interval.toMillis() % 60_000 != 0) {
                throw new IllegalArgumentException("partitionInterval must be whole minutes, at least 1, was " + interval);
            }
            this.partitionInterval = interval;
            return this;
        }

        /** How many partitions to keep created ahead of now (default 2). */
        public Builder partitionsAhead(int partitions) {
            if (partitions < 0 || partitions > 1000) {
                throw new IllegalArgumentException("partitionsAhead must be in [0, 1000], was " + partitions);
            }
            this.partitionsAhead = partitions;
            return this;
        }

        /** Drop partitions that end more than this before now (default: keep). */
        public Builder maxAge(Duration age) {
            Objects.requireNonNull(age, "age");
            if (age.isZero() || age.isNegative()) {
                throw new IllegalArgumentException("maxAge must be positive, was " + age);
            }
            this.maxAge = age;
            return this;
        }

        /** Connections in the store's pool (default 2: the writer and one query). */
        public Builder maxPoolSize(int connections) {
            if (connections < 1 || connections > 100) {
                throw new IllegalArgumentException("maxPoolSize must be in [1, 100], was " + connections);
            }
            this.maxPoolSize = connections;
            return this;
        }

        /** The longest wait for a connection, and for connecting (default 2 s, at least 250 ms). */
        public Builder connectionTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectionTimeout must be at least 250 ms, was " + timeout);
            }
            this.connectionTimeout = timeout;
            return this;
        }

        /** The longest wait for an answer on an open connection (default 30 s), so a hung server fails the write. */
        public Builder socketTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toSeconds() < 1) {
                throw new IllegalArgumentException("socketTimeout must be at least 1 s, was " + timeout);
            }
            this.socketTimeout = timeout;
            return this;
        }

        /** The clock for partitions and retention (the module sets the infrastructure's). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where retention events go (the module sets the infrastructure's). */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /** Starts the pool and creates the schema (when PostgreSQL is down: on the first write that reaches it). */
        public PostgresEventStore build() {
            return new PostgresEventStore(this);
        }
    }
}
