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
                Timeline.CLOSED, Timeline.FALLBACK_LAST_GOOD, Timeline.FALLBACK_VALUE, Timeline.RATE_LIMITED}) {
            assertThat(output).containsPattern("\\| " + java.util.regex.Pattern.quote(phenomenon) + " +\\| +[1-9][0-9]* \\|");
        }
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
