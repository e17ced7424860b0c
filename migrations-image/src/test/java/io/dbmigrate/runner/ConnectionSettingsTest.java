package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

    private static final String SECRET = "s3cr3t-Pa55word";

    private static Map<String, String> env(String... keyValues) {
        return TestEnv.with(Map.of("PGHOST", "db.example", "PGDATABASE", "crm", "PGUSER", "app"), keyValues);
    }

    @Test
    void readsLibpqVariablesWithDefaults() throws RunnerException {
        ConnectionSettings s = ConnectionSettings.fromEnvironment(env());
        assertEquals(new ConnectionSettings("db.example", 5432, "crm", "app", null, "prefer"), s);
        ConnectionSettings t = ConnectionSettings.fromEnvironment(
                env("PGPORT", "6543", "PGPASSWORD", SECRET, "PGSSLMODE", "verify-full"));
        assertEquals(6543, t.port());
        assertEquals(SECRET, t.password());
        assertEquals("verify-full", t.sslMode());
    }

    @Test
    void validationNamesTheVariable() {
        assertBadInput(env("PGHOST", null), "PGHOST");
        assertBadInput(env("PGHOST", " "), "PGHOST");
        assertBadInput(env("PGDATABASE", null), "PGDATABASE");
        assertBadInput(env("PGUSER", null), "PGUSER");
        assertBadInput(env("PGPORT", "0"), "PGPORT");
        assertBadInput(env("PGPORT", "65536"), "PGPORT");
        assertBadInput(env("PGPORT", "postgres"), "PGPORT");
        assertBadInput(env("PGSSLMODE", "on"), "PGSSLMODE");
        assertBadInput(env("PGHOST", "a,b"), "PGHOST");
        assertBadInput(env("PGHOST", "db;rm"), "PGHOST");
    }

    @Test
    void aSchemaTargetReadsItsSchemaAndKeepsItOnTheRehearsalCopy() throws RunnerException {
        ConnectionSettings s = ConnectionSettings.fromEnvironment(env("DBMIGRATE_SCHEMA", "tenant_a"));
        assertEquals("tenant_a", s.schema());
        assertEquals("\"tenant_a\".alembic_version", s.versionTable());
        assertEquals("tenant_a", s.jdbcProperties().getProperty("currentSchema"));
        assertTrue(s.describe().contains("(schema 'tenant_a')"), s.describe());
        assertEquals("tenant_a", s.withDatabase("scratch").schema());

        ConnectionSettings whole = ConnectionSettings.fromEnvironment(env("DBMIGRATE_SCHEMA", " "));
        assertNull(whole.schema());
        assertEquals("alembic_version", whole.versionTable());
        assertNull(whole.jdbcProperties().getProperty("currentSchema"));
    }

    @Test
    void aSchemaThatIsNoPlainIdentifierOrASystemSchemaIsRefused() {
        for (String bad : new String[] {"pg_catalog", "information_schema", "Tenant", "t-1", "t;drop", "\"t\""}) {
            assertBadInput(env("DBMIGRATE_SCHEMA", bad), "DBMIGRATE_SCHEMA");
        }
    }

    @Test
    void unixSocketIsRefusedWithTcpHint() {
        String message = assertBadInput(env("PGHOST", "/var/run/postgresql"), "PGHOST");
        assertTrue(message.contains("TCP"), message);
    }

    private static String assertBadInput(Map<String, String> env, String variable) {
        RunnerException e = assertThrows(RunnerException.class, () -> ConnectionSettings.fromEnvironment(env));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith(variable), e.getMessage());
        return e.getMessage();
    }

    @Test
    void toStringMasksThePassword() throws RunnerException {
        ConnectionSettings s = ConnectionSettings.fromEnvironment(env("PGPASSWORD", SECRET));
        assertFalse(s.toString().contains(SECRET), s.toString());
        assertTrue(s.toString().contains("password=****"), s.toString());
        assertFalse(s.describe().contains(SECRET));
        assertEquals("error for **** here", s.redact("error for " + SECRET + " here"));
    }

    @Test
    void libpqEnvironmentCarriesThePasswordOnlyWhenThereIsOne() throws RunnerException {
        Map<String, String> with = ConnectionSettings.fromEnvironment(env("PGPASSWORD", SECRET)).libpqEnvironment();
        assertEquals(SECRET, with.get("PGPASSWORD"));
        assertEquals("db.example", with.get("PGHOST"));
        assertEquals("5432", with.get("PGPORT"));
        assertEquals("crm", with.get("PGDATABASE"));
        assertEquals("app", with.get("PGUSER"));
        assertEquals("prefer", with.get("PGSSLMODE"));
        Map<String, String> without = ConnectionSettings.fromEnvironment(env("PGPASSWORD", "")).libpqEnvironment();
        assertFalse(without.containsKey("PGPASSWORD"));
    }

    @Test
    void jdbc() throws RunnerException {
        ConnectionSettings s = ConnectionSettings.fromEnvironment(env("PGPASSWORD", SECRET, "PGPORT", "5433"));
        assertEquals("jdbc:postgresql://db.example:5433/crm", s.jdbcUrl());
        assertFalse(s.jdbcUrl().contains(SECRET));
        Properties p = s.jdbcProperties();
        assertEquals("app", p.getProperty("user"));
        assertEquals(SECRET, p.getProperty("password"));
        assertEquals("prefer", p.getProperty("sslmode"));
        assertEquals("dbmigrate-runner", p.getProperty("ApplicationName"));
        assertEquals("10", p.getProperty("connectTimeout"));
        assertNull(ConnectionSettings.fromEnvironment(env()).jdbcProperties().getProperty("password"));
        assertEquals("jdbc:postgresql://[::1]:5432/my%20db",
                ConnectionSettings.fromEnvironment(env("PGHOST", "::1", "PGDATABASE", "my db")).jdbcUrl());
    }

    @Test
    void classifiesSqlStates() {
        assertEquals(ExitCode.AUTHENTICATION_FAILED,
                ConnectionSettings.classify(new SQLException("password authentication failed", "28P01"), "x").exitCode());
        assertEquals(ExitCode.AUTHENTICATION_FAILED,
                ConnectionSettings.classify(new SQLException("no pg_hba.conf entry", "28000"), "x").exitCode());
        assertEquals(ExitCode.CONNECTION_FAILED,
                ConnectionSettings.classify(new SQLException("Connection refused", "08001"), "x").exitCode());
        assertEquals(ExitCode.DATABASE_NOT_FOUND, ConnectionSettings.classify(
                new SQLException("FATAL: database \"crm\" does not exist", "3D000"), "x").exitCode());
        assertEquals(ExitCode.AUTHENTICATION_FAILED, ConnectionSettings.classify(new SQLException(
                "The server requested SCRAM-based authentication, but no password was provided.", "08004"), "x")
                .exitCode());
        assertEquals(ExitCode.CONNECTION_FAILED, ConnectionSettings.classify(
                new SQLException("FATAL: terminating connection due to administrator command", "57P01"), "x")
                .exitCode());
        assertEquals(ExitCode.CONNECTION_FAILED,
                ConnectionSettings.classify(new SQLException("I/O error", "08006"), "x").exitCode());
        assertEquals(ExitCode.CONNECTION_FAILED,
                ConnectionSettings.classify(new SQLException("starting up", "57P03"), "x").exitCode());
        assertEquals(ExitCode.CONNECTION_FAILED, ConnectionSettings.classify(
                new SQLException("failed", null, new ConnectException("Connection refused")), "x").exitCode());
        assertEquals(ExitCode.UNEXPECTED,
                ConnectionSettings.classify(new SQLException("syntax error", "42601"), "x").exitCode());
        RunnerException e = ConnectionSettings.classify(new SQLException("refused", "08001"), "connecting to crm");
        assertTrue(e.getMessage().startsWith("connecting to crm failed: refused"), e.getMessage());
        assertTrue(e.getMessage().contains("08001"), e.getMessage());
    }

    @Test
    void refusedConnectionIsAConnectionFailure() throws RunnerException {
        // Port 1 on loopback: nothing listens there, the kernel refuses at once.
        ConnectionSettings s = ConnectionSettings.fromEnvironment(env("PGHOST", "127.0.0.1", "PGPORT", "1",
                "PGPASSWORD", SECRET, "PGSSLMODE", "disable"));
        RunnerException e = assertThrows(RunnerException.class, s::open);
        assertEquals(ExitCode.CONNECTION_FAILED, e.exitCode());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void anUnknownHostSaysSo() throws RunnerException {
        // .invalid never resolves (RFC 2606); the lookup fails at once without a network too.
        ConnectionSettings s = ConnectionSettings.fromEnvironment(env("PGHOST", "crm-db.invalid",
                "PGPASSWORD", SECRET, "PGSSLMODE", "disable"));
        RunnerException e = assertThrows(RunnerException.class, s::open);
        assertEquals(ExitCode.CONNECTION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("failed: unknown host crm-db.invalid (the name does not resolve)"),
                e.getMessage());
    }

    @Test
    void toolsDefaults() {
        assertEquals(tools("pg_dump", "pg_restore", "alembic"), Tools.fromEnvironment(Map.of()));
        assertEquals(tools("/a/pg_dump", "pg_restore", "/usr/bin/alembic"), Tools.fromEnvironment(
                Map.of("DBMIGRATE_PG_DUMP", "/a/pg_dump", "DBMIGRATE_ALEMBIC", "/usr/bin/alembic", "DBMIGRATE_PG_RESTORE", " ")));
    }

    /** With the python that runs {@code alembic} when it is a path, else python3. */
    private static Tools tools(String pgDump, String pgRestore, String alembic) {
        return new Tools(pgDump, pgRestore, alembic, Tools.pythonOf(alembic, null));
    }
}
