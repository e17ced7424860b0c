package io.dbmigrate.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerEnvironment;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code alembic -c alembic.ini ...} in the migrations directory, connected through libpq's environment, with the
 * migration's lock_timeout and statement_timeout in PGOPTIONS and an application_name of its own, so the runner can
 * find Alembic's backends in pg_stat_activity.
 *
 * <p>Alembic runs inside {@value #SCRIPT_RESOURCE} (see there): alembic.ini's {@code sqlalchemy.url} is replaced by
 * its bare driver so that PG* decides where it connects, and every connection must see the runner's migration lock
 * and the revisions the runner read, or it exits {@link ExitCode#DATABASE_MISMATCH} before any migration statement.
 * A URL in alembic.ini or an env.py of its own must never migrate a database other than the one backed up.
 */
final class Alembic {

    /** Alembic's connections show up under this name; the runner's own JDBC connection is "dbmigrate-runner". */
    static final String APPLICATION_NAME = "dbmigrate-alembic";

    static final String SCRIPT_RESOURCE = "checked_alembic.py";
    static final String MISMATCH_MARKER = "dbmigrate-database-mismatch: ";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConnectionSettings settings;
    private final Tools tools;
    private final Path dir;
    private final LockSafety safety;
    private final Consumer<String> log;

    /**
     * @param log sees every line Alembic prints, already redacted
     */
    Alembic(ConnectionSettings settings, Tools tools, Path dir, LockSafety safety, Consumer<String> log) {
        this.settings = settings;
        this.tools = tools;
        this.dir = dir;
        this.safety = safety;
        this.log = log;
    }

    /**
     * One run of {@code alembic -c alembic.ini <arguments>}: its exit status and its output, redacted.
     *
     * @param lockPid       the backend pid of the runner's session holding the migration lock
     * @param expectedHeads the rows of alembic_version as the runner read them under that lock; null: not checked
     *                      (a stamp, which replaces them)
     */
    ExternalProcess.Outcome run(int lockPid, List<String> expectedHeads, String... arguments) throws RunnerException {
        List<String> command = arguments(Integer.toString(lockPid),
                expectedHeads == null ? "any" : Revisions.describe(expectedHeads), arguments);
        List<String> output = new ArrayList<>();
        int exit = supervise(() -> PythonScript.run(tools.python(), SCRIPT_RESOURCE, command, dir, environment(), line -> {
            String safe = settings.redact(line);
            output.add(safe);
            log.accept(safe);
        }).exitCode());
        return new ExternalProcess.Outcome(exit, List.copyOf(output));
    }

    /**
     * {@code alembic -c alembic.ini <arguments>} in offline mode ({@code --sql} among the arguments): the SQL on
     * standard output, the log lines (redacted) to the log. Any session an env.py opens anyway is read-only.
     */
    ExternalProcess.SeparateOutcome offline(String... arguments) throws RunnerException {
        List<String> command = arguments("offline", "any", arguments);
        Map<String, String> env = environment();
        env.put("PGOPTIONS", "-c default_transaction_read_only=on");
        ExternalProcess.SeparateOutcome outcome = supervise(() -> PythonScript.runSeparately(tools.python(),
                SCRIPT_RESOURCE, command, dir, env, line -> log.accept(settings.redact(line))));
        return new ExternalProcess.SeparateOutcome(outcome.exitCode(), settings.redact(outcome.stdout()),
                outcome.stderr().stream().map(settings::redact).toList());
    }

    private <T> T supervise(ExternalProcess.Child<T> child) throws RunnerException {
        return ExternalProcess.supervise("running alembic", e -> new RunnerException(ExitCode.MIGRATION_FAILED,
                "cannot run alembic with " + tools.python() + " (DBMIGRATE_PYTHON): " + e.getMessage(), e), child);
    }

    /**
     * Ends this database's Alembic sessions and waits (5s at most) until they are gone. A killed Alembic's session lives
     * on until its running statement ends (PostgreSQL notices a lost client only when it next writes to it), holding
     * its locks and its transaction; terminating it rolls that back now. Called under the migration lock, so no other
     * run's Alembic is among them. Best effort: without the right to signal them they end with their statement.
     */
    static void endSessions(Connection connection) {
        String sessions = " from pg_stat_activity where datname = current_database() and application_name = '"
                + APPLICATION_NAME + "' and pid <> pg_backend_pid()";
        try (Statement st = connection.createStatement()) {
            st.executeQuery("select pg_terminate_backend(pid)" + sessions).close();
            for (int i = 0; i < 50; i++) {
                try (ResultSet rs = st.executeQuery("select count(*)" + sessions)) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        } catch (SQLException e) {
            // they end with their statement
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // What checked_alembic.py takes after its source.
    private static List<String> arguments(String lockPid, String expectedHeads, String... arguments) {
        List<String> command = new ArrayList<>(List.of(lockPid, expectedHeads, "-c", "alembic.ini"));
        command.addAll(List.of(arguments));
        return command;
    }

    /**
     * Why Alembic was stopped before it ran anything, when it was: the Alembic session was not on the database the
     * runner locked, or read other revisions than the runner did. Empty for any other outcome.
     *
     * @param runnerHeads what the runner read from alembic_version
     */
    Optional<String> mismatch(ExternalProcess.Outcome outcome, List<String> runnerHeads) {
        if (outcome.exitCode() != ExitCode.DATABASE_MISMATCH.code()) {
            return Optional.empty();
        }
        for (String line : outcome.output()) {
            int at = line.indexOf(MISMATCH_MARKER);
            if (at >= 0) {
                try {
                    return Optional.of(mismatchMessage(JSON.readTree(line.substring(at + MISMATCH_MARKER.length())),
                            runnerHeads) + "; Alembic was stopped before it ran any migration");
                } catch (IOException e) {
                    return Optional.of("Alembic was stopped: its session is not the database the runner locked ("
                            + Truncation.truncate(line, 300) + ")");
                }
            }
        }
        return Optional.empty(); // exit 30 without the marker: a migration's own sys.exit(30)
    }

    private String mismatchMessage(JsonNode answer, List<String> runnerHeads) {
        String database = "database '" + settings.database() + "' on " + settings.host() + ":" + settings.port();
        return switch (answer.path("reason").asText()) {
            case "connection" -> "Alembic connected to database '" + answer.path("database").asText() + "' on "
                    + answer.path("server").asText() + ", not to " + database + ", the one the runner locked"
                    + " (and backed up): env.py builds its own URL or engine; it must connect with"
                    + " config.get_main_option(\"sqlalchemy.url\"), which the runner sets to take everything from"
                    + " libpq's PG* variables";
            case "heads" -> {
                String schema = answer.path("versionTableSchema").isNull() ? ""
                        : answer.path("versionTableSchema").asText() + ".";
                List<String> heads = new ArrayList<>();
                answer.path("heads").forEach(h -> heads.add(h.asText()));
                yield "Alembic reads revision(s) " + Revisions.describe(heads) + " from its version table " + schema
                        + answer.path("versionTable").asText() + ", the runner read " + Revisions.describe(runnerHeads)
                        + " from alembic_version of " + database + " (env.py's version_table, version_table_schema"
                        + " or search_path differ from the database's alembic_version)";
            }
            case "schema" -> "Alembic's session is in schema " + answer.path("currentSchema").asText()
                    + " with its version table in " + (answer.path("versionTableSchema").isNull() ? "the search_path"
                    : "schema " + answer.path("versionTableSchema").asText())
                    + ", not in schema " + answer.path("schema").asText() + " of " + database + ", the target's:"
                    + " env.py must set search_path and version_table_schema to DBMIGRATE_SCHEMA, as the"
                    + " migrations image's template does";
            default -> "Alembic's session could not be checked to be on " + database + ", the one the runner"
                    + " locked: " + Truncation.truncate(answer.path("error").asText(), 300);
        };
    }

    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(settings.libpqEnvironment());
        env.put("PGAPPNAME", APPLICATION_NAME);
        if (settings.schema() != null) {
            // env.py sets search_path and version_table_schema from it; checked_alembic.py checks the latter.
            env.put(RunnerEnvironment.SCHEMA.variable(), settings.schema());
        }
        String options = pgOptions(safety);
        if (!options.isEmpty()) {
            // libpq applies PGOPTIONS to every session Alembic opens, whatever env.py does.
            env.put("PGOPTIONS", options);
        }
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // the image's /migrations is read-only for our user
        env.put("PYTHONUNBUFFERED", "1");        // lines in the order they happened, tracebacks included
        return env;
    }

    /** {@code -c lock_timeout=1000ms -c statement_timeout=...}, each only when non-zero (zero is the server's "none"). */
    static String pgOptions(LockSafety safety) {
        List<String> options = new ArrayList<>();
        if (!safety.lockTimeout().isZero()) {
            options.add("-c lock_timeout=" + Durations.toPostgres(safety.lockTimeout()));
        }
        if (!safety.statementTimeout().isZero()) {
            options.add("-c statement_timeout=" + Durations.toPostgres(safety.statementTimeout()));
        }
        return String.join(" ", options);
    }
}
