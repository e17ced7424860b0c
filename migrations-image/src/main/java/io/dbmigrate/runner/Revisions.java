package io.dbmigrate.runner;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The Alembic revision(s) a database is at, read from Alembic's own bookkeeping table. */
public final class Revisions {

    /** How a database without any revision is shown in results. */
    public static final String BASE = "base";

    private static final String UNDEFINED_TABLE = "42P01";

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

    /** The revisions joined with ",", or {@value #BASE} when there are none. */
    public static String describe(List<String> revisions) {
        return revisions.isEmpty() ? BASE : String.join(",", revisions);
    }
}
