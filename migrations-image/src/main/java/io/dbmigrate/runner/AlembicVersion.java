package io.dbmigrate.runner;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Alembic's own bookkeeping table, alembic_version: the revision(s) a database is at. A target that names a schema
 * has its own, in that schema (env.py's version_table_schema): {@link ConnectionSettings#versionTable()}.
 */
final class AlembicVersion {

    private static final String UNDEFINED_TABLE = "42P01";
    // A schema target's schema before its first migration: env.py creates it.
    private static final String UNDEFINED_SCHEMA = "3F000";

    private AlembicVersion() {
    }

    /**
     * The rows of {@code table} ({@link ConnectionSettings#versionTable()}), sorted. No table (or no schema) means
     * Alembic never ran: the database is at base and the list is empty. Several rows mean several heads (branches not
     * merged yet).
     */
    static List<String> current(Connection connection, String table) throws SQLException {
        List<String> revisions = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("select version_num from " + table + " order by 1")) {
            while (rs.next()) {
                revisions.add(rs.getString(1));
            }
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState()) || UNDEFINED_SCHEMA.equals(e.getSQLState())) {
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
    static void delete(Connection connection, String table, List<String> rows) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement st = connection.prepareStatement(
                "delete from " + table + " where version_num = any(?)")) {
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
}
