package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The runner's view of a test database. */
final class Databases {

    private Databases() {
    }

    /** What a runner pointed at {@code db} reads from its environment. */
    static ConnectionSettings settings(TestDatabase db) {
        try {
            return ConnectionSettings.fromEnvironment(db.env());
        } catch (RunnerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Brings {@code db} to {@code target} with the real Alembic, as a test's set-up: a plain upgrade
     * ({@link Requests#upgrade(Path, String, Duration, Duration)}, no lock timeout, no wait) whose output goes nowhere,
     * so that a test's log holds only what the run under test wrote. A failure fails the set-up.
     */
    static void upgrade(TestDatabase db, Path migrations, String target) throws RunnerException {
        Upgrade.run(settings(db), AlembicProject.tools(), Requests.upgrade(migrations, target, Duration.ZERO,
                Duration.ZERO), Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream(), true,
                StandardCharsets.UTF_8));
    }

    /**
     * Makes {@code db} what a backup of the test project at {@code revision} reads, without Alembic: the version table
     * at that revision and a customers table of {@code rows} rows, row i named 'customer i'.
     *
     * @param notes the SQL of row i's notes, e.g. {@code md5(i::text)}, or {@code "null"} for none
     */
    static void stampedWithCustomers(TestDatabase db, String revision, int rows, String notes) {
        db.execute("create table alembic_version (version_num varchar(32) primary key)",
                "insert into alembic_version values ('" + revision + "')",
                "create table customers (id serial primary key, name text not null, notes text)",
                "insert into customers (name, notes) select 'customer ' || i, " + notes
                        + " from generate_series(1, " + rows + ") i");
    }
}
