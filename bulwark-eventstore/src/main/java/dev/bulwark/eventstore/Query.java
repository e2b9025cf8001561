package dev.bulwark.eventstore;

import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.Clock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The command line over an event store: prints a readable timeline ({@link TimelineFormat}).
 *
 * <pre>
 * java -cp bulwark-eventstore.jar:bulwark-core.jar dev.bulwark.eventstore.Query --dir /var/lib/app/events --since 10m --component payments
 * java -cp ...:postgresql.jar:HikariCP.jar:slf4j-api.jar dev.bulwark.eventstore.Query --jdbc jdbc:postgresql://127.0.0.1:5432/test --schema bulwark_events --since 1h
 * </pre>
 *
 * Options: {@code --dir PATH} (a file store, opened read-only, beside a running writer) or
 * {@code --jdbc URL} with {@code --schema}, {@code --user}, {@code --password}; {@code --since D}
 * or {@code --from INSTANT}; {@code --until D} or {@code --to INSTANT} (D is a duration before now:
 * {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}; INSTANT is ISO-8601 such as
 * {@code 2025-01-01T14:02:00Z}); {@code --event PREFIX} (after the telemetry prefix, e.g.
 * {@code circuit_breaker}; {@code --prefix} changes the telemetry prefix, default
 * {@code foundation.infra}); {@code --component NAME}; {@code --entity ID}; {@code --limit N}
 * (default 1000). Exit status 0, 2 for a bad command line (7403), 1 when the store cannot be read.
 */
public final class Query {

    private Query() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.system()));
    }

    /** Runs the command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        Options o;
        try {
            o = Options.parse(args, clock.instant());
        } catch (IllegalArgumentException e) {
            err.println("error " + EventStoreErrorCode.QUERY_INVALID.code() + ": " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o.help) {
            out.println(USAGE);
            return 0;
        }
        EventStore store;
        try {
            store = o.dir != null ? FileEventStore.openReadOnly(Path.of(o.dir))
                    : PostgresEventStore.builder().jdbcUrl(o.jdbc).schema(o.schema).credentials(o.user, o.password)
                    .maxPoolSize(1).readOnly().build();
        } catch (InfraException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        try (store) {
            long n = 0;
            try (Stream<StoredEvent> events = store.query(o.query)) {
                for (StoredEvent e : (Iterable<StoredEvent>) events::iterator) {
                    out.println(TimelineFormat.line(e, o.prefix));
                    n++;
                }
            }
            out.printf(Locale.ROOT, "-- %d record%s%s%n", n, n == 1 ? "" : "s", n == o.query.limit() ? " (the limit; --limit for more)" : "");
            if (store instanceof FileEventStore file && file.status().corruptRegions() > 0) {
                err.println("warning " + EventStoreErrorCode.STORE_CORRUPTED.code() + ": " + file.status().corruptRegions()
                        + " damaged region(s) skipped");
            }
            return 0;
        } catch (InfraException e) {
            err.println("error " + e.error().code() + ": " + e.error().message());
            return 1;
        }
    }

    static final String USAGE = String.join("\n",
            "usage: Query (--dir PATH | --jdbc URL [--schema S] [--user U] [--password P])",
            "             [--since D | --from INSTANT] [--until D | --to INSTANT]",
            "             [--event PREFIX] [--prefix TELEMETRY_PREFIX] [--component NAME] [--entity ID] [--limit N]",
            "  D: a duration before now, e.g. 90s, 10m, 2h, 1d; INSTANT: ISO-8601, e.g. 2025-01-01T14:02:00Z");

    /** The parsed command line. */
    static final class Options {
        String dir;
        String jdbc;
        String schema = "bulwark_events";
        String user = "postgres";
        String password;
        EventName prefix = Events.DEFAULT_PREFIX;
        EventQuery query;
        boolean help;

        static Options parse(String[] args, Instant now) {
            Options o = new Options();
            EventQuery.Builder q = EventQuery.builder().limit(1000);
            String event = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    o.help = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--dir" -> o.dir = v;
                    case "--jdbc" -> o.jdbc = v;
                    case "--schema" -> o.schema = v;
                    case "--user" -> o.user = v;
                    case "--password" -> o.password = v;
                    case "--since" -> q.since(now.minus(duration(v)));
                    case "--from" -> q.since(instant(v));
                    case "--until" -> q.until(now.minus(duration(v)));
                    case "--to" -> q.until(instant(v));
                    case "--event" -> event = v;
                    case "--prefix" -> o.prefix = EventName.parse(v);
                    case "--component" -> q.component(v);
                    case "--entity" -> q.entity(v);
                    case "--limit" -> {
                        try {
                            q.limit(Long.parseLong(v));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--limit must be a number, was '" + v + "'");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            if (o.help) {
                return o;
            }
            if ((o.dir == null) == (o.jdbc == null)) {
                throw new IllegalArgumentException("give exactly one of --dir and --jdbc");
            }
            if (event != null) {
                EventName e = EventName.parse(event);
                q.namePrefix(e.startsWith(o.prefix) ? e : o.prefix.append(e));
            }
            o.query = q.build();
            return o;
        }

        static Duration duration(String v) {
            if (!v.matches("\\d+(ms|s|m|h|d)")) {
                throw new IllegalArgumentException("a duration is a number and ms, s, m, h or d (e.g. 10m), was '" + v + "'");
            }
            String unit = v.replaceAll("\\d", "");
            long n = Long.parseLong(v.substring(0, v.length() - unit.length()));
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }

        static Instant instant(String v) {
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("an instant is ISO-8601 such as 2025-01-01T14:02:00Z, was '" + v + "'");
            }
        }
    }
}
