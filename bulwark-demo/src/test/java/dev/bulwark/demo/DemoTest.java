package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoTest {

    private static Tally tally;
    private static String output;

    @BeforeAll
    static void runTheDemo() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            tally = Demo.run(out);
        }
        output = bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theBreakerOpensHalfOpensAndClosesAgain() {
        assertThat(tally.phenomenon(Timeline.OPENED)).isPositive();
        assertThat(tally.phenomenon(Timeline.HALF_OPENED)).isPositive();
        assertThat(tally.phenomenon(Timeline.CLOSED)).isPositive();
        assertThat(output).contains("closed -> open", "open -> half_open", "half_open -> closed");
        assertThat(output.lastIndexOf("half_open -> closed")).isGreaterThan(output.indexOf("the inventory service is back"));
        assertThat(tally.phenomenon(Timeline.BREAKER_REJECTED)).isPositive();
    }

    @Test
    void theGreedyUserIsRateLimitedWithARetryAfterAndTheOthersAreNot() {
        assertThat(tally.count("mallory", Tally.Outcome.RATE_LIMITED)).isPositive();
        for (String polite : new String[] {"alice", "bob", "carol"}) {
            assertThat(tally.count(polite, Tally.Outcome.RATE_LIMITED)).isZero();
        }
        assertThat(output).contains("mallory is rate limited: HTTP 429, Retry-After: 1 s");
    }

    @Test
    void retriesTimeoutsAndTheRetryBudgetAreAtWork() {
        assertThat(tally.phenomenon(Timeline.RETRIES)).isPositive();
        assertThat(tally.phenomenon(Timeline.TIMEOUTS)).isPositive();
        assertThat(tally.phenomenon(Timeline.BUDGET_EXHAUSTED)).isPositive();
        assertThat(output).contains("retry: attempt 2", "timed out (7002)", "retry budget spent");
    }

    @Test
    void fallbacksKeepThePageUpWithTheLastGoodValueThenTheStaticAnswer() {
        assertThat(tally.phenomenon(Timeline.FALLBACK_LAST_GOOD)).isPositive();
        assertThat(tally.phenomenon(Timeline.FALLBACK_VALUE)).isPositive();
        assertThat(output.indexOf("answering the static 'stock unknown'"))
                .isGreaterThan(output.indexOf("answering with the last good value"));
        for (String user : tally.byUser().keySet()) {
            assertThat(tally.count(user, Tally.Outcome.FAILED)).as(user).isZero();
            assertThat(tally.count(user, Tally.Outcome.FALLBACK)).as(user).isPositive();
            assertThat(tally.count(user, Tally.Outcome.FRESH)).as(user).isPositive();
        }
    }

    @Test
    void theSummaryTablesShowEachPhenomenon() {
        assertThat(output).contains("| user    | requests | fresh | fallback  | rate limited | failed |");
        for (String phenomenon : new String[] {Timeline.RETRIES, Timeline.TIMEOUTS, Timeline.OPENED, Timeline.HALF_OPENED,
                Timeline.CLOSED, Timeline.FALLBACK_LAST_GOOD, Timeline.FALLBACK_VALUE, Timeline.RATE_LIMITED,
                Timeline.READINESS_CHANGES}) {
            assertThat(output).containsPattern("\\| " + java.util.regex.Pattern.quote(phenomenon) + " +\\| +[1-9][0-9]* \\|");
        }
    }

    @Test
    void theBreakerOpeningMakesReadinessDegradedNotDown() {
        int opened = output.indexOf("circuit breaker 'inventory': closed -> open");
        int degraded = output.indexOf("readiness probe: up -> degraded because of check 'circuit_breaker.inventory'");
        int closed = output.lastIndexOf("circuit breaker 'inventory': half_open -> closed");
        int up = output.indexOf("readiness probe: degraded -> up because of check 'circuit_breaker.inventory'");
        assertThat(opened).isPositive();
        assertThat(degraded).as("readiness follows the breaker").isGreaterThan(opened);
        assertThat(up).as("and comes back when it closes").isGreaterThan(closed);
        assertThat(output).contains("still HTTP 200").doesNotContain("-> down").doesNotContain("HTTP 503");
        assertThat(tally.phenomenon(Tally.READY_DEGRADED)).isPositive();
        assertThat(tally.phenomenon(Tally.READY_503)).as("no readiness probe ever answered 503").isZero();
        assertThat(tally.phenomenon(Tally.READY_200)).isEqualTo(60);
        assertThat(tally.phenomenon(Timeline.READINESS_CHANGES)).isEqualTo(2);
    }

    @Test
    void livenessStaysUpThroughTheWholeOutage() {
        assertThat(tally.phenomenon(Tally.LIVE_UP)).isEqualTo(60);
        assertThat(tally.phenomenon(Tally.LIVE_NOT_UP)).isZero();
        assertThat(output).contains("liveness probe: first answer up (HTTP 200)");
    }

    @Test
    void theSummaryIncludesTheReadinessReport() {
        assertThat(output).contains("Readiness report at the end (GET /health/ready): UP, HTTP 200");
        assertThat(output).containsPattern("\\| circuit_breaker\\.inventory +\\| up +\\| state closed");
        assertThat(output).containsPattern("\\| memory_pressure +\\| up +\\|");
        assertThat(output).contains("readiness probes: 60 answered HTTP 200", "0 answered 503", "liveness probes: 60 UP, 0 not UP");
    }

    @Test
    void theBreakersTimelineIsReadBackFromTheEventLog() {
        String timeline = output.substring(output.indexOf("The breaker's timeline, read back from the event log"));
        assertThat(timeline).containsPattern("\\[ *\\d+\\.\\d{3} s\\] circuit_breaker\\.state_change +inventory +closed -> open");
        assertThat(timeline).contains("open -> half_open", "half_open -> closed");
        assertThat(timeline).containsPattern("circuit_breaker\\.call_rejected +inventory +x\\d+ in that second reason=open");
        // the transitions read back are those the live timeline printed, at the same simulated instants
        java.util.regex.Matcher live = java.util.regex.Pattern
                .compile("\\[( *\\d+\\.\\d{3}) s\\] circuit breaker 'inventory': (\\w+) -> (\\w+)").matcher(output);
        java.util.List<String> printedLive = new java.util.ArrayList<>();
        while (live.find()) {
            printedLive.add(live.group(1) + " " + live.group(2) + " -> " + live.group(3));
        }
        java.util.regex.Matcher stored = java.util.regex.Pattern
                .compile("\\[( *\\d+\\.\\d{3}) s\\] circuit_breaker\\.state_change +inventory +(\\w+) -> (\\w+)").matcher(timeline);
        java.util.List<String> readBack = new java.util.ArrayList<>();
        while (stored.find()) {
            readBack.add(stored.group(1) + " " + stored.group(2) + " -> " + stored.group(3));
        }
        assertThat(readBack).isNotEmpty().isEqualTo(printedLive);
        long rejected = 0;
        java.util.regex.Matcher counts = java.util.regex.Pattern.compile("call_rejected +inventory +x(\\d+)").matcher(timeline);
        while (counts.find()) {
            rejected += Long.parseLong(counts.group(1));
        }
        assertThat(rejected).isEqualTo(tally.phenomenon(Timeline.BREAKER_REJECTED));
    }

    @Test
    void theInventoryConnectionsComeFromAPoolWhoseSaturationIsInTheSummary() {
        java.util.regex.Matcher pool = java.util.regex.Pattern.compile("connection pool 'inventory_connections': peak (\\d+)"
                + " of 6 connections in use \\((\\d+) of them overflow\\), exhausted [0-9.]+ s of the minute; (\\d+) created,"
                + " (\\d+) closed, \\d+ checkouts refused \\(7101\\); (\\d+) idle at the end").matcher(output);
        assertThat(pool.find()).as("the pool's summary line").isTrue();
        assertThat(Integer.parseInt(pool.group(1))).as("peak in use").isBetween(3, 6);
        assertThat(Integer.parseInt(pool.group(2))).as("overflow used under load").isPositive();
        long created = Long.parseLong(pool.group(3));
        long closed = Long.parseLong(pool.group(4));
        assertThat(created - closed).as("nothing lost: what is left is idle").isEqualTo(Long.parseLong(pool.group(5)));
        assertThat(output).contains("connections in use").containsPattern("\\| pool:inventory_connections +\\| up ");
    }

    @Test
    void theRunIsDeterministic() {
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(again, true, StandardCharsets.UTF_8)) {
            Demo.run(out);
        }
        assertThat(again.toString(StandardCharsets.UTF_8)).isEqualTo(output);
    }
}
