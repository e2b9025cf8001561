package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.error.InfraException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One suite, every store: what is appended reads back equal, and queries select and order the same
 * way. A store's test extends this class and says how to open (and reopen) its store.
 */
abstract class EventStoreConformanceTest {

    static final long T0 = 1_735_689_600_000L;   // 2025-01-01T00:00:00Z
    static final String P = "foundation.infra.";

    protected EventStore store;

    /** A new, empty store. */
    protected abstract EventStore open();

    /** The same store after a close: what it kept must be there. */
    protected abstract EventStore reopen();

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    static StoredEvent event(long ts, String suffix, String component, String entity) {
        return StoredEvent.event(ts, P + suffix, component, entity, Map.of("duration_us", 120L),
                component == null ? Map.of() : Map.of("name", component));
    }

    @Test
    void everyFieldReadsBackEqual() {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("duration_us", 1234L);
        m.put("rate", 0.25);
        m.put("negative", -7L);
        m.put("big", Long.MAX_VALUE);
        Map<String, String> md = new LinkedHashMap<>();
        md.put("name", "payments");
        md.put("from", "closed");
        md.put("to", "open");
        md.put("text", "tab\there, newline\nthere, back\\slash, \"quotes\", ünïcødé ✓, {json: [1]}");
        StoredEvent change = StoredEvent.event(T0 + 5, P + "circuit_breaker.state_change", "payments", null, m, md);
        StoredEvent aggregate = new StoredEvent(T0 + 10, P + "rate_limiter.request_denied", StoredEvent.Kind.AGGREGATE, 37,
                "checkout", "user-42", Map.of("retry_after_ms", 250L), Map.of("reason", "limit", "entity_id", "user-42"));
        StoredEvent bare = StoredEvent.event(T0 + 20, P + "infrastructure.initialized", null, null, Map.of(), Map.of());
        store.append(List.of(change, aggregate, bare));

        assertThat(store.list(EventQuery.all())).containsExactly(change, aggregate, bare);
    }

    @Test
    void whatWasAppendedIsThereAfterReopening() {
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(event(T0 + i, "circuit_breaker.state_change", "b" + (i % 3), null));
        }
        store.append(batch.subList(0, 50));
        store.append(batch.subList(50, 100));
        store.close();
        store = reopen();

        assertThat(store.list(EventQuery.builder().unlimited().build())).containsExactlyElementsOf(batch);
    }

    @Test
    void recordsComeInTimeOrderWhateverTheOrderTheyWereWrittenIn() {
        Random random = new Random(11);
        List<StoredEvent> written = new ArrayList<>();
        for (int batch = 0; batch < 20; batch++) {
            List<StoredEvent> b = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                // late records, as a rejection aggregate written when its second closes
                long ts = T0 + batch * 500L + random.nextInt(2_000);
                b.add(event(ts, "bulkhead.call_rejected", "pool", "e" + i));
            }
            store.append(b);
            written.addAll(b);
        }
        List<StoredEvent> read = store.list(EventQuery.builder().unlimited().build());

        assertThat(read).hasSize(written.size()).containsExactlyInAnyOrderElementsOf(written);
        assertThat(read).isSortedAccordingTo(java.util.Comparator.comparingLong(StoredEvent::timestampMillis));
    }

    @Test
    void equalTimestampsComeInTheOrderTheyWereWritten() {
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batch.add(event(T0, "retry.retry_scheduled", "r" + i, null));
        }
        store.append(batch.subList(0, 10));
        store.append(batch.subList(10, 30));

        assertThat(store.list(EventQuery.all())).containsExactlyElementsOf(batch);
    }

    @Test
    void theTimeRangeIncludesItsStartAndExcludesItsEnd() {
        store.append(List.of(event(T0 - 1, "a.b", "x", null), event(T0, "a.b", "x", null),
                event(T0 + 999, "a.b", "x", null), event(T0 + 1000, "a.b", "x", null)));

        List<StoredEvent> read = store.list(EventQuery.builder().betweenMillis(T0, T0 + 1000).build());

        assertThat(read).extracting(StoredEvent::timestampMillis).containsExactly(T0, T0 + 999);
    }

    @Test
    void theNamePrefixMatchesWholeSegments() {
        store.append(List.of(event(T0, "circuit_breaker.state_change", "a", null),
                event(T0 + 1, "circuit_breaker.call_rejected", "a", null),
                event(T0 + 2, "circuit_breakers.other", "a", null),
                event(T0 + 3, "rate_limiter.request_denied", "a", null),
                event(T0 + 4, "circuit_breaker", "a", null)));

        assertThat(store.list(EventQuery.builder().namePrefix(P + "circuit_breaker").build()))
                .extracting(StoredEvent::name)
                .containsExactly(P + "circuit_breaker.state_change", P + "circuit_breaker.call_rejected", P + "circuit_breaker");
        assertThat(store.list(EventQuery.builder().namePrefix(P + "circuit_breaker.state_change").build())).hasSize(1);
        // '_' is no wildcard
        assertThat(store.list(EventQuery.builder().namePrefix(P + "circuit_breaker_state").build())).isEmpty();
    }

    @Test
    void componentAndEntitySelectExactly() {
        store.append(List.of(event(T0, "rate_limiter.request_denied", "checkout", "alice"),
                event(T0 + 1, "rate_limiter.request_denied", "checkout", "bob"),
                event(T0 + 2, "rate_limiter.request_denied", "search", "alice"),
                event(T0 + 3, "circuit_breaker.state_change", "checkout", null),
                event(T0 + 4, "rate_limiter.request_denied", "checkout_v2", "alice")));

        assertThat(store.list(EventQuery.builder().component("checkout").build())).extracting(StoredEvent::timestampMillis)
                .containsExactly(T0, T0 + 1, T0 + 3);
        assertThat(store.list(EventQuery.builder().entity("alice").build())).extracting(StoredEvent::timestampMillis)
                .containsExactly(T0, T0 + 2, T0 + 4);
        assertThat(store.list(EventQuery.builder().component("checkout").entity("alice").build()))
                .extracting(StoredEvent::timestampMillis).containsExactly(T0);
    }

    @Test
    void allCriteriaTogether() {
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            batch.add(event(T0 + i * 10L, i % 2 == 0 ? "rate_limiter.request_denied" : "bulkhead.call_rejected",
                    "c" + (i % 4), "e" + (i % 5)));
        }
        store.append(batch);
        EventQuery q = EventQuery.builder().betweenMillis(T0 + 3_000, T0 + 15_000)
                .namePrefix(P + "rate_limiter").component("c2").entity("e0").unlimited().build();

        assertThat(store.list(q)).containsExactlyElementsOf(batch.stream().filter(q::matches).toList()).isNotEmpty();
    }

    @Test
    void theLimitStopsTheStream() {
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(event(T0 + i, "a.b", "x", null));
        }
        store.append(batch);

        assertThat(store.list(EventQuery.builder().limit(7).build())).containsExactlyElementsOf(batch.subList(0, 7));
        assertThat(store.list(EventQuery.builder().since(java.time.Instant.ofEpochMilli(T0 + 100)).limit(3).build()))
                .containsExactlyElementsOf(batch.subList(100, 103));
    }

    @Test
    void aStreamIsReadLazilyAndMayBeClosedEarly() {
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            batch.add(event(T0 + i, "a.b", "x", null));
        }
        store.append(batch);
        try (Stream<StoredEvent> s = store.query(EventQuery.builder().unlimited().build())) {
            Iterator<StoredEvent> it = s.iterator();
            assertThat(it.next()).isEqualTo(batch.get(0));
            assertThat(it.next()).isEqualTo(batch.get(1));
        }
        // the store is still fine after an abandoned stream
        assertThat(store.list(EventQuery.builder().unlimited().build())).hasSize(5_000);
    }

    @Test
    void aQuerySeesWhatWasAppendedBeforeItAndNotAHalfBatch() {
        store.append(List.of(event(T0, "a.b", "x", null)));
        try (Stream<StoredEvent> s = store.query(EventQuery.builder().unlimited().build())) {
            Iterator<StoredEvent> it = s.iterator();
            assertThat(it.next().timestampMillis()).isEqualTo(T0);
            store.append(List.of(event(T0 + 1, "a.b", "x", null), event(T0 + 2, "a.b", "x", null)));
            List<Long> rest = new ArrayList<>();
            it.forEachRemaining(e -> rest.add(e.timestampMillis()));
            assertThat(rest.size()).isIn(0, 2);
        }
        assertThat(store.list(EventQuery.all())).hasSize(3);
    }

    @Test
    void anEmptyStoreAnswersNothing() {
        assertThat(store.list(EventQuery.all())).isEmpty();
        store.append(List.of());
        assertThat(store.list(EventQuery.all())).isEmpty();
    }

    @Test
    void aClosedStoreRefusesWithItsCode() {
        store.close();
        assertThatThrownBy(() -> store.append(List.of(event(T0, "a.b", "x", null))))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7406));
        assertThatThrownBy(() -> store.query(EventQuery.all()))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7406));
        store = null;
    }
}
