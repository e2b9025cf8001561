package dev.bulwark.eventstore;

import dev.bulwark.telemetry.EventName;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What to read from an {@link EventStore}: a time range, an event-name prefix, a component, an
 * entity, and at most how many records. Every criterion left unset matches everything. Records
 * come in time order (equal timestamps in the order they were written).
 *
 * <pre>{@code
 * EventQuery q = EventQuery.builder()
 *         .since(Instant.now().minus(Duration.ofMinutes(10)))
 *         .namePrefix("foundation.infra.circuit_breaker")
 *         .component("payments")
 *         .limit(500)
 *         .build();
 * try (Stream<StoredEvent> events = store.query(q)) { events.forEach(System.out::println); }
 * }</pre>
 *
 * <p>An immutable value: equal when all criteria are equal.
 *
 * @param from       first instant included (epoch ms); {@link Long#MIN_VALUE} for no bound
 * @param to         first instant excluded (epoch ms); {@link Long#MAX_VALUE} for no bound
 * @param namePrefix a dotted prefix of whole segments of the full event name ({@code foundation.infra.circuit_breaker}
 *                   matches {@code foundation.infra.circuit_breaker.state_change}, not {@code foundation.infra.circuit_breakers}), or null
 * @param component  the exact component, or null
 * @param entity     the exact entity, or null
 * @param limit      at most this many records
 */
public record EventQuery(long from, long to, String namePrefix, String component, String entity, long limit) {

    /** The limit when none is given. */
    public static final long DEFAULT_LIMIT = 10_000;

    /** @throws IllegalArgumentException if {@code from > to}, the limit is not positive, or the prefix is not a dotted name */
    public EventQuery {
        if (from > to) {
            throw new IllegalArgumentException("from must not be after to, was from=" + from + " to=" + to);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        if (namePrefix != null) {
            EventName.parse(namePrefix);
        }
    }

    /** Everything, up to the default limit. */
    public static EventQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code event} meets every criterion (the limit aside). */
    public boolean matches(StoredEvent event) {
        return event.timestampMillis() >= from && event.timestampMillis() < to
                && (namePrefix == null || nameMatches(event.name()))
                && (component == null || component.equals(event.component()))
                && (entity == null || entity.equals(event.entity()));
    }

    /** Whether a full event name starts with the name prefix, segment by segment. */
    public boolean nameMatches(String name) {
        return namePrefix == null || name.equals(namePrefix)
                || (name.length() > namePrefix.length() && name.startsWith(namePrefix) && name.charAt(namePrefix.length()) == '.');
    }

    /** A builder pre-filled with this query. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.from = from;
        b.to = to;
        b.namePrefix = namePrefix;
        b.component = component;
        b.entity = entity;
        b.limit = limit;
        return b;
    }

    /** Builds an {@link EventQuery}; not thread-safe. */
    public static final class Builder {
        private long from = Long.MIN_VALUE;
        private long to = Long.MAX_VALUE;
        private String namePrefix;
        private String component;
        private String entity;
        private long limit = DEFAULT_LIMIT;

        private Builder() {
        }

        /** Events at or after {@code from}. */
        public Builder since(Instant from) {
            this.from = Objects.requireNonNull(from, "from").toEpochMilli();
            return this;
        }

        /** Events before {@code to}. */
        public Builder until(Instant to) {
            this.to = Objects.requireNonNull(to, "to").toEpochMilli();
            return this;
        }

        /** Events in [{@code from}, {@code to}). */
        public Builder between(Instant from, Instant to) {
            return since(from).until(to);
        }

        /** Events in [{@code fromMillis}, {@code toMillis}) (epoch ms). */
        public Builder betweenMillis(long fromMillis, long toMillis) {
            this.from = fromMillis;
            this.to = toMillis;
            return this;
        }

        /** Events in the last {@code window} before {@code now}. */
        public Builder last(Duration window, Instant now) {
            return between(now.minus(Objects.requireNonNull(window, "window")), now.plusMillis(1));
        }

        /** Events whose full name starts with these whole segments. */
        public Builder namePrefix(String dottedPrefix) {
            this.namePrefix = dottedPrefix;
            return this;
        }

        /** Events whose full name starts with these whole segments. */
        public Builder namePrefix(EventName prefix) {
            this.namePrefix = prefix == null ? null : prefix.toString();
            return this;
        }

        public Builder component(String component) {
            this.component = component;
            return this;
        }

        public Builder entity(String entity) {
            this.entity = entity;
            return this;
        }

        /** At most {@code limit} records (default {@value EventQuery#DEFAULT_LIMIT}). */
        public Builder limit(long limit) {
            this.limit = limit;
            return this;
        }

        /** No limit. */
        public Builder unlimited() {
            this.limit = Long.MAX_VALUE;
            return this;
        }

        /** @throws IllegalArgumentException as {@link EventQuery#EventQuery} does */
        public EventQuery build() {
            return new EventQuery(from, to, namePrefix, component, entity, limit);
        }
    }
}
