package dev.bulwark.config.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in configuration: {@code 500ms}, {@code 2s}, {@code 1.5m}, {@code 1h}, or ISO-8601 {@code PT2S}. */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message saying what is expected
     */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 2s, 1m or PT2S, was empty");
        }
        char first = Character.toUpperCase(t.charAt(0));
        if (first == 'P' || (t.length() > 1 && t.charAt(0) == '-' && Character.toUpperCase(t.charAt(1)) == 'P')) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration (PT2S, PT1M30S, P1D)");
            }
        }
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            if (t.matches("-?\\d+(\\.\\d+)?")) {
                throw new IllegalArgumentException("a duration needs a unit: " + t + "ms, " + t + "s (ns, us, ms, s, m, h, d), or ISO-8601 (PT" + t + "S)");
            }
            throw new IllegalArgumentException("expected a duration such as 500ms, 2s, 1m or PT2S (units ns, us, ms, s, m, h, d)");
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        long nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        BigDecimal nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("duration too long");
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("finer than a nanosecond");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }
}
