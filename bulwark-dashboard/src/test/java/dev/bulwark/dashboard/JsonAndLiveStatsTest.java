package dev.bulwark.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The dashboard's JSON writer and its in-memory live figures. */
class JsonAndLiveStatsTest {

    record Inner(String name, Duration age) {
    }

    record Outer(int count, double rate, Inner inner, List<String> tags, Instant at, Thread.State state) {
    }

    @Test
    void writesRecordsMapsAndScalarsAsStrictJson() {
        Outer value = new Outer(3, 0.25, new Inner("a\"b\\c\n\u0001", Duration.ofMillis(1500)), List.of("x", "y"),
                Instant.parse("2026-12-02T10:00:00Z"), Thread.State.RUNNABLE);
        String json = Json.write(value);
        assertThat(MiniJson.object(json)).containsEntry("count", 3.0).containsEntry("rate", 0.25)
                .containsEntry("inner", Map.of("name", "a\"b\\c\n\u0001", "age", 1500.0))
                .containsEntry("tags", List.of("x", "y")).containsEntry("at", "2026-12-02T10:00:00Z")
                .containsEntry("state", "runnable");
    }

    @Test
    void neverWritesWhatCouldCloseAScriptOrBreakTheSyntax() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("html", "</script><script>alert(1)</script>");
        m.put("nan", Double.NaN);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("separator", "a\u2028b");
        m.put("null", null);
        String json = Json.write(m);
        assertThat(json).doesNotContain("</script>").doesNotContain("\u2028");
        Map<String, Object> back = MiniJson.object(json);
        assertThat(back.get("html")).isEqualTo("</script><script>alert(1)</script>");
        assertThat(back).containsEntry("nan", null).containsEntry("inf", null).containsEntry("null", null)
                .containsEntry("separator", "a\u2028b");
    }

    @Test
    void aCycleIsCutAtTheDepthBound() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        String json = Json.write(cycle);
        assertThat(MiniJson.parse(json)).isNotNull();
    }

    @Test
    void latencyPercentilesAreWithinTheBucketWidth() {
        LiveStats stats = new LiveStats(10, 10, 10);
        Random random = new Random(1);
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            long us = 100 + random.nextInt(100_000);
            samples.add(us);
            stats.protection("p", "success", us);
        }
        samples.sort(null);
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) stats.roll(0).get("protections")).get("p");
        double p50 = samples.get(4_999) / 1000.0;
        double p99 = samples.get(9_899) / 1000.0;
        assertThat((Double) p.get("p50_ms")).isBetween(p50 * 0.87, p50 * 1.0001);
        assertThat((Double) p.get("p99_ms")).isBetween(p99 * 0.87, p99 * 1.0001);
        assertThat(p).containsEntry("success", 10_000L);
        // the next tick counts only what came after this one
        stats.protection("p", "failure", 5);
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) ((Map<String, Object>) stats.roll(1).get("protections")).get("p");
        assertThat(next).containsEntry("success", 0L).containsEntry("failure", 1L);
    }

    @Test
    void bucketsCoverEveryValueAndBoundIt() {
        for (long v : new long[] {0, 1, 7, 8, 9, 15, 16, 1000, 123_456, 1L << 40, Long.MAX_VALUE}) {
            int b = LiveStats.bucket(v);
            assertThat(b).isBetween(0, LiveStats.BUCKETS - 1);
            assertThat(LiveStats.lowerBound(b)).isLessThanOrEqualTo(v);
            if (b < LiveStats.BUCKETS - 1) {
                assertThat(LiveStats.lowerBound(b + 1)).isGreaterThan(v);
            }
        }
    }

    @Test
    void theTopKSketchFindsTheHeavyEntitiesInBoundedMemory() {
        LiveStats.TopK top = new LiveStats.TopK(20);
        Random random = new Random(2);
        for (int i = 0; i < 200_000; i++) {
            int r = random.nextInt(100);
            if (r < 30) {
                top.add("heavy-1");              // 30 %
            } else if (r < 50) {
                top.add("heavy-2");              // 20 %
            } else {
                top.add("e" + random.nextInt(100_000));   // the long tail
            }
        }
        assertThat(top.size()).isEqualTo(20);
        List<Map<String, Object>> rows = top.top(2);
        assertThat(rows).extracting(r -> r.get("entity")).containsExactly("heavy-1", "heavy-2");
        long counted = (Long) rows.get(0).get("denied");
        long error = (Long) rows.get(0).get("error");
        assertThat(counted - error).isLessThanOrEqualTo(60_500L);   // never under the true count...
        assertThat(counted).isGreaterThanOrEqualTo(59_000L);         // ...of about 60 000
    }

    @Test
    void protectionKeysBeyondTheBoundShareOther() {
        LiveStats stats = new LiveStats(3, 10, 10);
        for (int i = 0; i < 100; i++) {
            stats.protection("key" + i, "success", 10);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> protections = (Map<String, Object>) stats.roll(0).get("protections");
        assertThat(protections).hasSizeLessThanOrEqualTo(4).containsKey("other");
    }

    @Test
    void shedCallsAreCountedPerTick() {
        LiveStats stats = new LiveStats(10, 10, 5);
        for (int i = 0; i < 3; i++) {
            stats.shed();
        }
        assertThat(stats.roll(0)).containsEntry("shed", 3L);
        assertThat(stats.roll(1)).containsEntry("shed", 0L);
        stats.shed();
        assertThat(stats.roll(2)).containsEntry("shed", 1L);
    }
}
