package io.dbmigrate.runner;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The Alembic revision(s) a database is at, read from Alembic's own bookkeeping table. */
public final class Revisions {

    /** How a database without any revision is shown in results. */
    public static final String BASE = "base";

    private static final String UNDEFINED_TABLE = "42P01";

    /**
     * A revision id as it can stand in alembic_version: letters, digits, {@code _}, and {@code -} or {@code .} after
     * the first character (never a leading {@code -}, which an argument parser would take for an option).
     */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    /** More heads than anyone merges by hand; keeps an argument and its messages bounded. */
    static final int MAX_REVISIONS = 64;

    private Revisions() {
    }

    /**
     * The rows of {@code alembic_version}, sorted. No table means Alembic never ran: the database is at base and the
     * list is empty. Several rows mean several heads (branches not merged yet).
     */
    public static List<String> current(Connection connection) throws SQLException {
        List<String> revisions = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("select version_num from alembic_version order by 1")) {
            while (rs.next()) {
                revisions.add(rs.getString(1));
            }
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                if (!connection.getAutoCommit()) {
                    connection.rollback(); // leave the caller's transaction usable
                }
                return List.of();
            }
            throw e;
        }
        return List.copyOf(revisions);
    }

    /**
     * Deletes these rows of {@code alembic_version}, all or none: a row too many is what Alembic before 1.13.1 leaves
     * after some downgrades (sqlalchemy/alembic#1373), and every later upgrade then fails on it.
     */
    static void delete(Connection connection, List<String> rows) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement st = connection.prepareStatement(
                "delete from alembic_version where version_num = any(?)")) {
            st.setArray(1, connection.createArrayOf("text", rows.toArray()));
            int deleted = st.executeUpdate();
            if (deleted != rows.size()) {
                connection.rollback();
                throw new SQLException("expected to delete " + rows.size() + " alembic_version rows ("
                        + String.join(", ", rows) + "), found " + deleted);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * The inverse of {@link #describe}: {@value #BASE} is no revision, otherwise revision ids joined with ",". Sorted,
     * so two descriptions of the same revisions compare equal whatever their order. BAD_INPUT naming the field when
     * the value is anything else (empty parts, duplicates, {@value #BASE} beside a revision, characters no revision id
     * has).
     */
    public static List<String> parse(String field, String described) throws RunnerException {
        String example = " (the revision(s) as a plan's fromRevision shows them: base, ae1027a6acf or two heads"
                + " as ae1027a6acf,bc2345def678)";
        if (described == null || described.isEmpty()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " is required" + example);
        }
        if (described.equals(BASE)) {
            return List.of();
        }
        String[] parts = described.split(",", -1);
        if (parts.length > MAX_REVISIONS) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " names " + parts.length
                    + " revisions, at most " + MAX_REVISIONS + " are accepted");
        }
        TreeSet<String> revisions = new TreeSet<>();
        String shown = Truncation.truncate(RevisionSpec.printable(described), 200);
        for (String part : parts) {
            if (part.equals(BASE)) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + shown
                        + "': base means no revision and cannot stand beside one" + example);
            }
            if (!ID.matcher(part).matches()) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + shown
                        + "' is not a list of revision ids" + example);
            }
            if (!revisions.add(part)) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " names revision " + part + " twice");
            }
        }
        return List.copyOf(revisions);
    }

    /** Whether {@code value} can be a revision id as alembic_version holds it (see {@link #parse}). */
    static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** Whether the database's revisions are exactly these, in any order. */
    static boolean same(List<String> current, List<String> expected) {
        return new TreeSet<>(current).equals(new TreeSet<>(expected)) && current.size() == expected.size();
    }

    /** The revisions joined with ",", or {@value #BASE} when there are none. */
    public static String describe(List<String> revisions) {
        return revisions.isEmpty() ? BASE : String.join(",", revisions);
    }
}
