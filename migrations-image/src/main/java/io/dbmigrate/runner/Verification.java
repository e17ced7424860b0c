package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.Truncation;
import io.dbmigrate.contract.VerifyQuery;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.util.PSQLException;

/**
 * The checks that must hold after a migration: each {@link VerifyQuery} must return exactly one row with one boolean
 * column that is true. Each runs in a read-only transaction that is rolled back, with a statement_timeout, on the
 * runner's own connection; the first that does not hold stops the rest.
 */
final class Verification {

    /** The statement_timeout of a verification query when the migration has none. */
    static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(60);

    /** More rows than this are not counted. */
    static final int MAX_ROWS_COUNTED = 100;

    private static final int MAX_VALUE_SHOWN = 40;

    /**
     * @param passed the names of the queries that returned true, in order
     * @param failed the name of the first one that did not; null when all passed
     * @param reason what it did instead, e.g. "returned false"; null when all passed
     */
    record Outcome(List<String> passed, String failed, String reason) {
        boolean holds() {
            return failed == null;
        }
    }

    private Verification() {
    }

    /** The migration's statement_timeout when it has one, else {@link #DEFAULT_STATEMENT_TIMEOUT}. */
    static Duration statementTimeout(LockSafety safety) {
        return safety.statementTimeout().isZero() ? DEFAULT_STATEMENT_TIMEOUT : safety.statementTimeout();
    }

    static Outcome run(Connection connection, List<VerifyQuery> queries, Duration statementTimeout) {
        List<String> passed = new ArrayList<>();
        for (VerifyQuery query : queries) {
            // Validation refuses these before anything runs; this is in case a caller skipped it.
            String problem = VerifyQuery.statementProblem(query.sql());
            String reason = problem != null ? "was not run: it " + problem : check(connection, query.sql(), statementTimeout);
            if (reason != null) {
                return new Outcome(List.copyOf(passed), query.name(), reason);
            }
            passed.add(query.name());
        }
        return new Outcome(List.copyOf(passed), null, null);
    }

    /** Null when the query returned true; otherwise what it did instead. */
    static String check(Connection connection, String sql, Duration statementTimeout) {
        boolean autoCommit = true;
        try {
            autoCommit = connection.getAutoCommit();
            try (Statement st = connection.createStatement()) {
                // Session-wide too: a query that commits (select true; commit; insert ...) starts its next
                // transaction read-only as well.
                st.execute("set default_transaction_read_only = on");
                connection.setAutoCommit(false);
                st.execute("set transaction read only");
                st.execute("set local statement_timeout = '" + Durations.toPostgres(statementTimeout) + "'");
                st.setMaxRows(MAX_ROWS_COUNTED + 1);
                if (!st.execute(sql)) {
                    return "returned no rows (it is not a query)";
                }
                try (ResultSet rs = st.getResultSet()) {
                    return judge(rs);
                }
            }
        } catch (SQLException e) {
            return "failed: " + describe(e);
        } finally {
            restore(connection, autoCommit);
        }
    }

    private static String judge(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        if (md.getColumnCount() != 1) {
            return "returned " + md.getColumnCount() + " columns, expected one boolean";
        }
        int rows = 0;
        Object value = null;
        while (rows <= MAX_ROWS_COUNTED && rs.next()) {
            rows++;
            if (rows == 1) {
                value = rs.getObject(1);
            }
        }
        if (rows == 0) {
            return "returned no rows";
        }
        if (rows > 1) {
            return "returned " + (rows > MAX_ROWS_COUNTED ? "more than " + MAX_ROWS_COUNTED : rows) + " rows";
        }
        if (value == null) {
            return "returned NULL";
        }
        if (value instanceof Boolean b) {
            return b ? null : "returned false";
        }
        if (value instanceof String s && (s.equals("t") || s.equals("true"))) {
            return null;
        }
        if (value instanceof String s && (s.equals("f") || s.equals("false"))) {
            return "returned false";
        }
        String shown = Truncation.truncate(String.valueOf(value), MAX_VALUE_SHOWN);
        return "returned " + kind(value, md.getColumnTypeName(1)) + " "
                + (value instanceof String ? "'" + shown + "'" : shown) + ", expected a boolean";
    }

    private static String kind(Object value, String typeName) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return "integer";
        }
        if (value instanceof BigDecimal) {
            return "numeric";
        }
        if (value instanceof Double || value instanceof Float) {
            return "number";
        }
        if (value instanceof String) {
            return "text";
        }
        return typeName;
    }

    /** The server's message and SQLSTATE, without pgjdbc's "Position:" or "Detail:" lines. */
    static String describe(SQLException e) {
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getMessage() != null
                ? p.getServerErrorMessage().getMessage()
                : String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        String state = e.getSQLState();
        return Truncation.truncate(message, AlembicOutput.MAX_ERROR_LENGTH)
                + (state == null || state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
    }

    // Nothing a verification did is kept, whatever it was; the connection goes back as it came.
    private static void restore(Connection connection, boolean autoCommit) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            connection.setAutoCommit(autoCommit);
            try (Statement st = connection.createStatement()) {
                st.execute("reset default_transaction_read_only");
            }
        } catch (SQLException e) {
            // A broken connection: the caller reads the revision on a fresh one.
        }
    }
}
