package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.contract.StampResult;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbmigrate-runner stamp}: sets alembic_version, for a repair or to adopt a database (spec.baseline). */
@Command(name = "stamp", defaultValueProvider = CommandOptions.SafetyDefaults.class,
        description = {"Set alembic_version to REV without running any migration, under the database's migration"
                + " lock: alembic stamp --purge REV, replacing whatever alembic_version names. With --adopt"
                + " (spec.baseline) only a database without alembic_version, or with an empty one, is stamped"
                + " (alembic stamp REV); one already at REV or past it is left as it is, any other is refused"
                + " (exit 28 BaselineRefused)."})
final class StampCommand implements RunnerCommand {

    @Mixin
    CommandOptions.Migrations migrations = new CommandOptions.Migrations();

    @Option(names = "--revision", required = true, paramLabel = "REV",
            description = "Alembic revision to stamp, e.g. ae1027a6acf or head; several heads joined with ','.")
    String revision;

    @Option(names = "--adopt", description = "Stamp only a database without revisions (spec.baseline); see above.")
    boolean adopt;

    @Mixin
    CommandOptions.LockWait lockWait = new CommandOptions.LockWait();

    @Override
    public void validateOptions() throws RunnerException {
        request().revisions("--revision");
        request().validate();
        lockWait();
    }

    StampRequest request() {
        return new StampRequest(migrations.dir, revision, adopt);
    }

    Duration lockWait() throws RunnerException {
        return lockWait.lockWait();
    }

    @Override
    public RunnerResult run(Invocation in) throws RunnerException {
        StampResult s = Stamp.run(in.settings(), in.tools(), request(), lockWait(), in.clock(), in.err());
        in.log("stamp finished", "from", s.fromRevision(), "to", s.toRevision(), "adopt", s.adopt(),
                "stamped", s.stamped());
        return in.succeeded(summary(in.settings().database(), s)).withStamp(s);
    }

    static String summary(String database, StampResult s) {
        if (!s.stamped()) {
            return "database '" + database + "' is already versioned at " + s.fromRevision()
                    + ", which includes baseline " + s.revision() + "; nothing was stamped";
        }
        return "database '" + database + "' stamped " + s.revision() + (s.adopt() ? " as its baseline" : "")
                + ": alembic_version went from " + s.fromRevision() + " to " + s.toRevision()
                + "; no migration ran";
    }
}
