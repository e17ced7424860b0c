package io.dbmigrate.runner;

import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code dbmigrate-runner current}: the database's revision(s). */
@Command(name = "current", description = "Print the database's Alembic revision(s).")
final class CurrentCommand implements RunnerCommand {

    @Override
    public RunnerResult run(Invocation in) throws RunnerException {
        ConnectionSettings settings = in.settings();
        List<String> revisions;
        try (Connection c = settings.open()) {
            revisions = AlembicVersion.current(c, settings.versionTable());
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "reading the Alembic revision of " + settings.describe());
        }
        return in.succeeded("database '" + settings.database() + "' is at revision "
                + Revisions.describe(revisions)).withRevisions(revisions);
    }
}
