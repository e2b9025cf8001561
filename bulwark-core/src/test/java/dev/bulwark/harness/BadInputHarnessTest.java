package dev.bulwark.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.error.InfraException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Calls every public entry point of core ({@link EntryPoints}) with bad input ({@link Values}):
 * each case starts from valid arguments and makes one of them bad; the property combines several
 * bad arguments at random. Every answer must be a value (an {@code Err} with a coded error
 * included), a coded {@link InfraException}, an {@code IllegalArgumentException} or
 * {@code NullPointerException} whose message names the argument (or quotes the bad value), or an
 * {@code IllegalStateException} with a message (a builder used in the wrong state) — never another
 * exception type, a hang (2 s per call), or a thread left behind.
 */
class BadInputHarnessTest {

    private static final long CALL_LIMIT_MILLIS = 2_000;

    /** One call: an entry point, and which argument is bad with which of its bad values (-1: none). */
    record Case(Class<?> type, Executable entry, int badParam, int badValue) {
        @Override
        public String toString() {
            return type.getSimpleName() + ": " + label(entry) + (badParam < 0 ? " (valid arguments)" : " arg " + badParam + " bad value #" + badValue);
        }
    }

    private static String label(Executable e) {
        return e.getDeclaringClass().getSimpleName() + "." + (e instanceof Constructor ? "<init>" : e.getName())
                + "(" + String.join(", ", java.util.Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
    }

    static final class Plan {
        final List<Entry> entries = new ArrayList<>();
        final List<Case> cases = new ArrayList<>();
        final TreeSet<String> uncovered = new TreeSet<>();
    }

    static Plan plan() throws Exception {
        Plan plan = new Plan();
        try (Fixture f = new Fixture()) {
            for (Class<?> type : EntryPoints.publicClasses()) {
                for (Executable e : EntryPoints.of(type)) {
                    boolean needsReceiver = e instanceof Method m && !Modifier.isStatic(m.getModifiers());
                    if (needsReceiver && Receivers.of(type) == null) {
                        plan.uncovered.add(label(e) + ": no recipe for an instance of " + type.getSimpleName());
                        continue;
                    }
                    Parameter[] params = e.getParameters();
                    boolean complete = true;
                    for (Parameter p : params) {
                        if (Values.valid(e, p, f) == Values.NONE) {
                            plan.uncovered.add(label(e) + ": no valid value for " + p.getType().getSimpleName());
                            complete = false;
                        }
                    }
                    if (!complete) {
                        continue;
                    }
                    plan.entries.add(new Entry(type, e));
                    plan.cases.add(new Case(type, e, -1, -1));
                    for (int i = 0; i < params.length; i++) {
                        int bad = Values.bad(params[i].getType(), params[i].getParameterizedType(), f).size();
                        for (int v = 0; v < bad; v++) {
                            plan.cases.add(new Case(type, e, i, v));
                        }
                    }
                }
            }
        }
        return plan;
    }

    /** What one call answered, judged. */
    record Verdict(String problem) {
        static final Verdict OK = new Verdict(null);
    }

    private static ExecutorService caller = newCaller();

    private static ExecutorService newCaller() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "harness-caller");
            t.setDaemon(true);
            return t;
        });
    }

    /** An entry point of a public type (an inherited method is an entry point of each type that has it). */
    record Entry(Class<?> type, Executable executable) {
        @Override
        public String toString() {
            return type.getSimpleName() + ": " + label(executable);
        }
    }

    static Verdict run(Class<?> type, Executable entry, Object[] badByParam, boolean[] isBad) {
        try (Fixture f = new Fixture()) {
            Parameter[] params = entry.getParameters();
            Object[] args = new Object[params.length];
            for (int i = 0; i < params.length; i++) {
                args[i] = isBad[i] ? badByParam[i] : Values.valid(entry, params[i], f);
            }
            Object receiver = entry instanceof Method m && !Modifier.isStatic(m.getModifiers())
                    ? Receivers.of(type).apply(f)
                    : null;
            Future<Object> call = caller.submit(() -> entry instanceof Method m ? m.invoke(receiver, args)
                    : ((Constructor<?>) entry).newInstance(args));
            Throwable thrown;
            try {
                f.adopt(call.get(CALL_LIMIT_MILLIS, TimeUnit.MILLISECONDS));
                return Verdict.OK;
            } catch (TimeoutException hang) {
                call.cancel(true);
                caller.shutdownNow();
                caller = newCaller();
                return new Verdict("did not answer within " + CALL_LIMIT_MILLIS + " ms");
            } catch (java.util.concurrent.ExecutionException e) {
                thrown = e.getCause() instanceof InvocationTargetException ite ? ite.getCause() : e.getCause();
            }
            return judge(thrown, params, args, isBad);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict("interrupted");
        }
    }

    private static Verdict judge(Throwable thrown, Parameter[] params, Object[] args, boolean[] isBad) {
        if (thrown instanceof InfraException) {
            return Verdict.OK;
        }
        String message = thrown.getMessage();
        if (thrown instanceof IllegalStateException) {
            return message != null && !message.isBlank() ? Verdict.OK : new Verdict("IllegalStateException without a message");
        }
        if (thrown instanceof IllegalArgumentException || thrown instanceof NullPointerException) {
            if (message == null || message.isBlank()) {
                return new Verdict(thrown.getClass().getSimpleName() + " without a message");
            }
            for (int i = 0; i < params.length; i++) {
                if (isBad[i] && namesArgument(message, params[i].getName(), args[i])) {
                    return Verdict.OK;
                }
            }
            return new Verdict(thrown.getClass().getSimpleName() + " whose message names no bad argument: " + message);
        }
        return new Verdict("threw " + thrown);
    }

    /**
     * Whether {@code message} tells the caller which argument was wrong: it names the parameter (or
     * one of the words of its name), or quotes the bad value ("was null", "was -1", "was ''"). The
     * JVM's own "Cannot invoke ... because ... is null" is a stray exception, not an answer.
     */
    static boolean namesArgument(String message, String parameterName, Object value) {
        if (message.startsWith("Cannot ")) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        String name = parameterName.toLowerCase(Locale.ROOT);
        if (m.contains(name)) {
            return true;
        }
        for (String word : parameterName.split("(?=[A-Z])")) {
            if (word.length() >= 4 && m.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        if ((value instanceof Object[] array && java.util.Arrays.asList(array).contains(null)
                || value instanceof List<?> list && list.stream().anyMatch(java.util.Objects::isNull)) && m.contains("null")) {
            return true;   // a collection holding null, and the message says which element
        }
        String quoted = value == null ? "null" : value instanceof String s ? "'" + s.replaceAll("\\p{Cntrl}", "?") + "'"
                : String.valueOf(value);
        if (value instanceof java.time.Duration d && d.getSeconds() < Long.MAX_VALUE / 1_000_000_000L
                && m.contains("was " + d.toNanos())) {
            return true;   // a duration quoted in nanoseconds
        }
        return quoted.length() < 100 && m.contains("was " + quoted.toLowerCase(Locale.ROOT))
                || value instanceof String s && s.isBlank() && (m.contains("blank") || m.contains("empty"));
    }

    static Verdict run(Case c) {
        Parameter[] params = c.entry.getParameters();
        Object[] bad = new Object[params.length];
        boolean[] isBad = new boolean[params.length];
        if (c.badParam >= 0) {
            try (Fixture f = new Fixture()) {
                bad[c.badParam] = Values.bad(params[c.badParam].getType(), params[c.badParam].getParameterizedType(), f)
                        .get(c.badValue);
            }
            isBad[c.badParam] = true;
        }
        return run(c.type, c.entry, bad, isBad);
    }

    @Test
    void everyPublicEntryPointAnswersBadInputWithAValueACodedErrorOrANamedArgument() throws Exception {
        Plan plan = plan();
        List<String> before = bulwarkThreads();
        List<String> violations = new ArrayList<>();
        for (Case c : plan.cases) {
            Verdict v = run(c);
            if (v.problem() != null) {
                violations.add(c + ": " + v.problem());
            }
        }
        System.out.printf("bad-input harness: %d entry points, %d cases, %d violations; not covered: %d%n",
                plan.entries.size(), plan.cases.size(), violations.size(), plan.uncovered.size());
        plan.uncovered.forEach(u -> System.out.println("  not covered: " + u));
        assertThat(plan.entries.size()).as("entry points found").isGreaterThan(300);
        assertThat(violations).isEmpty();
        assertThat(plan.uncovered).as("public entry points the harness cannot call (add a recipe or a value)").isEmpty();
        org.awaitility.Awaitility.await("no thread left behind").atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(bulwarkThreads()).isEqualTo(before));
    }

    @Property(tries = 300)
    void severalBadArgumentsAtOnceAreAnsweredAsWell(@ForAll("entries") Entry chosen, @ForAll("seeds") long seed) {
        java.util.Random random = new java.util.Random(seed);
        Executable entry = chosen.executable();
        Parameter[] params = entry.getParameters();
        Object[] bad = new Object[params.length];
        boolean[] isBad = new boolean[params.length];
        try (Fixture f = new Fixture()) {
            for (int i = 0; i < params.length; i++) {
                List<Object> values = Values.bad(params[i].getType(), params[i].getParameterizedType(), f);
                if (!values.isEmpty() && random.nextBoolean() && !isMessageLabel(entry, params[i])) {
                    isBad[i] = true;
                    bad[i] = values.get(random.nextInt(values.size()));
                }
            }
        }
        Verdict v = run(chosen.type(), entry, bad, isBad);
        assertThat(v.problem()).as("%s with bad arguments %s", label(entry), java.util.Arrays.toString(bad)).isNull();
    }

    /**
     * The label a validation helper puts in its message ({@code Names.require(what, name)},
     * {@code Durations.requirePositive(name, value)}): the caller's constant, not input. With it
     * bad too, no message could name the bad argument.
     */
    private static boolean isMessageLabel(Executable entry, Parameter p) {
        String owner = entry.getDeclaringClass().getSimpleName();
        return p.getType() == String.class && (p.getName().equals("what") || p.getName().equals("argument")
                || owner.equals("Durations") && p.getName().equals("name"));
    }

    @Provide
    Arbitrary<Entry> entries() throws Exception {
        return Arbitraries.of(plan().entries.stream().filter(e -> e.executable().getParameterCount() > 1).toList());
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /** The threads of infrastructures the cases built (shared daemon threads of policies used alone excepted). */
    private static List<String> bulwarkThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("bulwark-") && !n.contains("shared"))
                .sorted().toList();
    }
}
