package io.dbmigrate.runner;

import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * What an upgrade to a target would do, for a reviewer, without doing it: the database's revision, the direction
 * and the revisions pending, and the SQL of Alembic's offline mode ({@code --sql}). Reads the revision and nothing
 * else; takes no lock, writes nothing.
 */
public final class Plan {

    private Plan() {
    }

    /**
     * @param log    Alembic's log lines, prefixed {@code alembic: }
     * @param sqlOut receives the whole SQL (a termination message may only hold part of it)
     * @throws RunnerException DOWNGRADE_NOT_ALLOWED (with the plan) for a target below the current revision without
     *                         allowDowngrade; MIGRATION_FAILED when Alembic cannot resolve the target
     */
    public static PlanResult run(ConnectionSettings settings, Tools tools, PlanRequest request, PrintStream log,
                                 PrintStream sqlOut) throws RunnerException {
        request.validate();
        Path dir = AlembicRun.migrationsDirectory(request.migrationsDir());
        List<String> current;
        String serverVersion;
        try (Connection connection = settings.open()) {
            connection.setReadOnly(true);
            current = AlembicVersion.current(connection, settings.versionTable());
            serverVersion = serverVersion(connection);
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "reading the Alembic revision of " + settings.describe());
        }
        String from = Revisions.describe(current);
        RevisionGraph.Classification route = RevisionGraph.classify(tools, dir, request.target(), current,
                line -> log.println("alembic: " + settings.redact(line)));
        String target = request.target();
        Direction direction = route.direction();
        if (direction == Direction.NONE) {
            return new PlanResult(target, from, direction.word(), List.of(), null, null, null, null);
        }
        if (direction == Direction.DOWNGRADE && !request.allowDowngrade()) {
            throw new RunnerException(ExitCode.DOWNGRADE_NOT_ALLOWED, Upgrade.downgradeRefused(target, from,
                    route.revisions()), new PlanResult(target, from, direction.word(), route.revisions(), null, null,
                    null, null));
        }
        if (current.size() > 1) {
            return linted(request, new PlanResult(target, from, direction.word(), route.revisions(), null, null, null,
                    "the database is at several heads (" + from + ") and Alembic's offline mode starts from one"));
        }
        // Offline mode cannot ask the database where it is: the range says it. The argument is the target, or for a
        // downgrade Alembic refuses in that form on a branched graph, the REV@-N or BRANCH@-N that does the same.
        String range = current.isEmpty() ? route.argument() : from + ":" + route.argument();
        String command = direction == Direction.DOWNGRADE ? "downgrade" : "upgrade";
        Alembic alembic = new Alembic(settings, tools, dir, LockSafety.DEFAULT,
                line -> log.println("alembic: " + line));
        ExternalProcess.SeparateOutcome outcome = alembic.offline(command, range, "--sql");
        if (outcome.exitCode() != 0) {
            String error = AlembicOutput.error(outcome.stderr())
                    .orElse("alembic " + command + " --sql exited with " + outcome.exitCode());
            return linted(request, new PlanResult(target, from, direction.word(), route.revisions(), null, null, null,
                    error));
        }
        String sql = outcome.stdout() + strayRowsNote(route);
        sqlOut.print(sql);
        if (!sql.endsWith("\n")) {
            sqlOut.println();
        }
        sqlOut.flush();
        PlanResult plan = new PlanResult(target, from, direction.word(), route.revisions(), CompressedSql.encode(sql),
                (long) sql.getBytes(StandardCharsets.UTF_8).length, true, null);
        if (!request.lint()) {
            return plan;
        }
        // Downgrades too: their SQL takes locks as an upgrade's does. Alembic's offline SQL alone, not the note after it.
        return plan.withLint(new Lint(tools.squawk(), Map.of()).run(outcome.stdout(), serverVersion,
                request.lintIgnore(), line -> log.println(line)));
    }

    /** A plan without SQL has nothing to lint: said so, never shown as no findings. */
    private static PlanResult linted(PlanRequest request, PlanResult plan) {
        return request.lint() ? plan.withLint(LintReport.unavailable(null, "no SQL to lint: " + plan.sqlUnavailable()))
                : plan;
    }

    /** e.g. 15.4, from server_version_num (150004); squawk judges rules by it. Null when it cannot be read. */
    static String serverVersion(Connection connection) {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int")) {
            if (!rs.next()) {
                return null;
            }
            int num = rs.getInt(1);
            return num >= 100000 ? (num / 10000) + "." + (num % 10000) : (num / 10000) + "." + (num / 100 % 100);
        } catch (SQLException e) {
            return null;
        }
    }

    /** What upgrade does after Alembic when Alembic's SQL leaves an ancestor row in alembic_version. */
    static String strayRowsNote(RevisionGraph.Classification route) {
        if (route.extraRows().isEmpty()) {
            return "";
        }
        return "\n-- dbmigrate-runner: Alembic < 1.13.1 leaves alembic_version row(s) "
                + String.join(", ", route.extraRows()) + " beside " + Revisions.describe(route.expected())
                + " (sqlalchemy/alembic#1373);\n-- upgrade deletes them after the downgrade when the env.py has not.\n";
    }
}
