package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the runner's integration tests of one command start from: a fresh database per test, the test Alembic project
 * ({@link AlembicProject#create}, with Alembic's logging) written before each test into a temporary folder, and a log
 * for the runner to write to.
 */
abstract class ProjectFixture {

    /** What a test class adds to the project before each test, e.g. {@code AlembicProject::withPhone}. */
    @FunctionalInterface
    interface Setup {
        AlembicProject addTo(AlembicProject project) throws IOException;
    }

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase db;

    AlembicProject project;

    private final Setup setup;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** @param database the prefix of each test's database name */
    ProjectFixture(String database, Setup setup) {
        this.db = TestDatabase.perTest(database);
        this.setup = setup;
    }

    /** With the project's two revisions only. */
    ProjectFixture(String database) {
        this(database, project -> project);
    }

    @BeforeEach
    void createProject() throws IOException {
        project = setup.addTo(AlembicProject.create(tmp.resolve("m"), true));
    }

    /** Brings the database to {@code target}, as a test's set-up ({@link Databases#upgrade}). */
    void upgradeDatabaseTo(String target) throws RunnerException {
        Databases.upgrade(db, project.dir(), target);
    }

    /** A stream into the log, for a run's log lines and Alembic's output. */
    PrintStream logStream() {
        return new PrintStream(log, true, StandardCharsets.UTF_8);
    }

    /** What the runs wrote to the log so far. */
    String log() {
        return log.toString(StandardCharsets.UTF_8);
    }
}
