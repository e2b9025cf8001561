package dev.bulwark.pool.jdbc.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The check behind {@link RequiresPostgres}, once per JVM; and helpers for a schema of a test's own. */
public final class PostgresAvailability implements ExecutionCondition, BeforeAllCallback {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5432;
    public static final String URL = "jdbc:postgresql://" + HOST + ":" + PORT + "/test";
    public static final String USER = "postgres";

    static final String HOW_TO_START = "PostgreSQL is not reachable at " + HOST + ":" + PORT + " (database test, user "
            + USER + "). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

    private static volatile Boolean available;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (isAvailable()) {
            return ConditionEvaluationResult.enabled("PostgreSQL answers at " + HOST + ":" + PORT);
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return ConditionEvaluationResult.enabled("CI=true: the missing PostgreSQL fails the tests");
        }
        return ConditionEvaluationResult.disabled(HOW_TO_START);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!isAvailable()) {
            throw new AssertionError("CI=true and " + HOW_TO_START);
        }
    }

    public static boolean isAvailable() {
        Boolean known = available;
        if (known == null) {
            try (Connection c = connect()) {
                known = c.isValid(2);
            } catch (SQLException e) {
                known = false;
            }
            available = known;
        }
        return known;
    }

    public static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(URL, p);
    }

    /** A schema name no other test uses: {@code bulwark_test_<what>_<random>}. */
    public static String randomSchema(String what) {
        return ("bulwark_test_" + what + "_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36))
                .toLowerCase(Locale.ROOT);
    }

    /** Drops a schema the test created. */
    public static void dropSchema(String schema) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop schema " + schema, e);
        }
    }
}
