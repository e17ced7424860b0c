package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerEnvironment;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.SchemaName;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where and as whom to connect, read from libpq's environment variables so that the JDBC connection of the runner,
 * pg_dump and Alembic (psycopg2, i.e. libpq) all reach the same database as the same user.
 *
 * <p>The password is only ever taken from {@code PGPASSWORD} and handed to child processes through their environment,
 * never on a command line (where {@code ps} would show it). {@link #toString()} masks it.
 *
 * @param schema null, or the schema of the database the target is (schema per tenant): the search_path of the runner's
 *               connections (verification queries see the tenant's tables), where alembic_version is read and what a
 *               backup dumps
 */
public record ConnectionSettings(String host, int port, String database, String user, String password, String sslMode,
                                 String schema) {

    public static final String APPLICATION_NAME = "dbmigrate-runner";
    /** Seconds; the same for JDBC and libpq so every part of the runner gives up at the same time. */
    public static final int CONNECT_TIMEOUT_SECONDS = 10;

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    // A DNS name, an IPv4 address or a bare IPv6 address. Nothing a URL or a shell would interpret.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]{1,253}");
    private static final String MASK = "****";
    // The server's FATAL for 3D000, as libpq prints it; an ERROR of the same words is about something else.
    private static final Pattern DATABASE_MISSING = Pattern.compile("fatal:\\s+database \"[^\"\\n]*\" does not exist");
    // libpq's and the server's words (lower case) for a refused login: 28P01, 28000, no password given.
    private static final List<String> LOGIN_REFUSED = List.of("password authentication failed",
            "no password supplied", "no pg_hba.conf entry", "pg_hba.conf rejects connection",
            "fatal:  role \"");
    // ... for a connection that could not be made or was lost: a retry can get through.
    private static final List<String> CONNECTION_LOST = List.of("server closed the connection unexpectedly",
            "terminating connection due to", "connection to server was lost", "no connection to the server",
            "could not receive data from server", "could not send data to server", "connection refused",
            "could not connect to server", "could not translate host name", "timeout expired",
            "connection timed out", "no route to host", "connection reset by peer", "ssl syscall error",
            "the database system is starting up", "the database system is shutting down",
            "the database system is in recovery mode", "too many clients already",
            "remaining connection slots are reserved");

    /** A whole database, no schema of its own. */
    public ConnectionSettings(String host, int port, String database, String user, String password, String sslMode) {
        this(host, port, database, user, password, sslMode, null);
    }

    /**
     * Reads PGHOST, PGPORT (default 5432), PGDATABASE, PGUSER, PGPASSWORD (optional), PGSSLMODE (default prefer)
     * and DBMIGRATE_SCHEMA (optional; refused unless a plain lowercase identifier other than a system schema).
     * Database and user are required rather than defaulted as libpq does: migrating whatever database happens to be
     * named like the OS user is never what anybody meant.
     */
    public static ConnectionSettings fromEnvironment(Map<String, String> env) throws RunnerException {
        String host = blankToNull(RunnerEnvironment.HOST.from(env));
        if (host == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "PGHOST is required (the PostgreSQL server's host name)");
        }
        if (host.startsWith("/")) {
            throw new RunnerException(ExitCode.BAD_INPUT,
                    "PGHOST '" + host + "' is a unix socket directory; a TCP host name or address is required");
        }
        if (host.contains(",")) {
            throw new RunnerException(ExitCode.BAD_INPUT, "PGHOST must name a single host, not a list");
        }
        if (!HOST.matcher(host).matches()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "PGHOST '" + host + "' is not a valid host name or address");
        }
        int port = parsePort(blankToNull(RunnerEnvironment.PORT.from(env)));
        String database = blankToNull(RunnerEnvironment.DATABASE.from(env));
        if (database == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "PGDATABASE is required (the database to back up or migrate)");
        }
        String user = blankToNull(RunnerEnvironment.USER.from(env));
        if (user == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "PGUSER is required");
        }
        // An empty PGPASSWORD is no password: libpq treats it the same way.
        String password = RunnerEnvironment.PASSWORD.from(env);
        if (password != null && password.isEmpty()) {
            password = null;
        }
        String sslMode = blankToNull(RunnerEnvironment.SSL_MODE.from(env));
        if (sslMode == null) {
            sslMode = "prefer";
        }
        if (!SSL_MODES.contains(sslMode)) {
            throw new RunnerException(ExitCode.BAD_INPUT,
                    "PGSSLMODE '" + sslMode + "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
        }
        String schema = blankToNull(RunnerEnvironment.SCHEMA.from(env));
        if (schema != null) {
            SchemaName.validate(RunnerEnvironment.SCHEMA.variable(), schema);
        }
        return new ConnectionSettings(host, port, database, user, password, sslMode, schema);
    }

    private static int parsePort(String text) throws RunnerException {
        if (text == null) {
            return 5432;
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new RunnerException(ExitCode.BAD_INPUT, "PGPORT '" + text + "' is not a port number (1..65535)");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The same server, user, TLS and schema, connected to another database (a rehearsal's scratch copy). */
    public ConnectionSettings withDatabase(String otherDatabase) {
        return new ConnectionSettings(host, port, otherDatabase, user, password, sslMode, schema);
    }

    /** The same connection, migrating in {@code otherSchema} (null: the database as a whole). */
    public ConnectionSettings withSchema(String otherSchema) {
        return new ConnectionSettings(host, port, database, user, password, sslMode, otherSchema);
    }

    /** {@code alembic_version}, in the schema when there is one: where the revision(s) of this target are. */
    public String versionTable() {
        return schema == null ? "alembic_version" : SchemaName.quoted(schema) + ".alembic_version";
    }

    /** The libpq variables for pg_dump, pg_restore and Alembic. PGPASSWORD only when there is a password. */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RunnerEnvironment.HOST.variable(), host);
        env.put(RunnerEnvironment.PORT.variable(), Integer.toString(port));
        env.put(RunnerEnvironment.DATABASE.variable(), database);
        env.put(RunnerEnvironment.USER.variable(), user);
        if (password != null) {
            env.put(RunnerEnvironment.PASSWORD.variable(), password);
        }
        env.put(RunnerEnvironment.SSL_MODE.variable(), sslMode);
        env.put("PGAPPNAME", APPLICATION_NAME);
        env.put("PGCONNECT_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        return env;
    }

    public String jdbcUrl() {
        // pgjdbc wants an IPv6 address in brackets; libpq wants it bare, which is what PGHOST holds.
        String urlHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + urlHost + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public Properties jdbcProperties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("sslmode", sslMode);
        p.setProperty("ApplicationName", APPLICATION_NAME);
        p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        if (schema != null) {
            // The search_path of every session the runner opens, so a verification query reads the tenant's tables.
            p.setProperty("currentSchema", schema);
        }
        return p;
    }

    /** Opens a JDBC connection; failures are classified into connection and authentication errors. */
    public Connection open() throws RunnerException {
        try {
            return DriverManager.getConnection(jdbcUrl(), jdbcProperties());
        } catch (SQLException e) {
            throw classify(e, "connecting to " + describe());
        }
    }

    /** host:port/database as user, for messages. */
    public String describe() {
        return "database '" + database + "'" + (schema == null ? "" : " (schema '" + schema + "')") + " on " + host + ":" + port + " as user '" + user + "'";
    }

    /** Replaces every occurrence of the password in a text we did not write ourselves (tool output, messages). */
    public String redact(String text) {
        if (text == null || password == null || password.isEmpty()) {
            return text;
        }
        return text.replace(password, MASK);
    }

    /**
     * Turns a JDBC failure into the runner's vocabulary: a missing database (3D000) and a rejected or missing login
     * (28000, 28P01, pgjdbc's 08004 "no password was provided") are not retryable, class 08 and the states PostgreSQL
     * sends while it cannot take connections or ends them are connection failures (retryable), anything else is
     * unexpected.
     */
    public static RunnerException classify(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        UnknownHostException unknownHost = unknownHost(e);
        if (unknownHost != null) {
            // pgjdbc says only "The connection attempt failed."; the name that did not resolve is what to fix.
            detail = "unknown host " + unknownHost.getMessage() + " (the name does not resolve)";
        }
        String message = what + " failed: " + detail + (state.isEmpty() ? "" : " (SQLState " + state + ")");
        if (state.equals("3D000")) {
            return new RunnerException(ExitCode.DATABASE_NOT_FOUND, message, e);
        }
        if (state.equals("28P01") || state.equals("28000")
                // connection_rejected: pgjdbc's for a password the server asks for and nobody gave
                || state.equals("08004") && detail.contains("authentication")) {
            return new RunnerException(ExitCode.AUTHENTICATION_FAILED, message, e);
        }
        if (state.startsWith("08")
                || state.startsWith("57P")  // admin or crash shutdown, cannot connect now, database dropped
                || state.equals("53300")    // too_many_connections
                || causedByNetwork(e)) {
            return new RunnerException(ExitCode.CONNECTION_FAILED, message, e);
        }
        return new RunnerException(ExitCode.UNEXPECTED, message, e);
    }

    /**
     * What libpq's messages in the output of a failed pg_dump or pg_restore say, in the same vocabulary as
     * {@link #classify}: the database is missing, the login was refused, or the connection could not be made or was
     * lost (retryable). Empty when they say none of that: the tool itself failed.
     */
    public static Optional<ExitCode> classifyClientOutput(List<String> output) {
        String text = String.join("\n", output).toLowerCase(Locale.ROOT);
        if (DATABASE_MISSING.matcher(text).find()) {
            return Optional.of(ExitCode.DATABASE_NOT_FOUND);
        }
        if (LOGIN_REFUSED.stream().anyMatch(text::contains)) {
            return Optional.of(ExitCode.AUTHENTICATION_FAILED);
        }
        if (CONNECTION_LOST.stream().anyMatch(text::contains)) {
            return Optional.of(ExitCode.CONNECTION_FAILED);
        }
        return Optional.empty();
    }

    private static UnknownHostException unknownHost(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof UnknownHostException unknown) {
                return unknown;
            }
        }
        return null;
    }

    private static boolean causedByNetwork(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof SocketTimeoutException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ConnectionSettings[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=" + (password == null ? "<none>" : MASK) + ", sslMode=" + sslMode
                + (schema == null ? "" : ", schema=" + schema) + "]";
    }
}
