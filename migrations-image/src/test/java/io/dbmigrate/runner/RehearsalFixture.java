package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;

/**
 * What a rehearsal test starts from: the {@link ProjectFixture}, whose database is the source a rehearsal backs up,
 * brought by the real Alembic to a revision before each test, a folder for its backups and a name of its own for them.
 */
abstract class RehearsalFixture extends ProjectFixture {

    Path backups;
    String name;

    private final String namePrefix;
    private final String revision;

    /**
     * @param database the prefix of each test's database name
     * @param namePrefix the prefix of each test's backup name
     * @param revision where the source is before each test
     */
    RehearsalFixture(String database, String namePrefix, String revision) {
        super(database);
        this.namePrefix = namePrefix;
        this.revision = revision;
    }

    /** Runs after {@link ProjectFixture}'s set-up (JUnit runs a superclass's first) and before the test class's. */
    @BeforeEach
    void migrateSource() throws Exception {
        name = namePrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        backups = Files.createDirectories(tmp.resolve("backups"));
        upgradeDatabaseTo(revision);
    }

    /** The server of the tests, connected to its maintenance database. */
    static ConnectionSettings server() throws RunnerException {
        Map<String, String> env = new HashMap<>(TestDatabase.serverEnvironment());
        env.put("PGDATABASE", "postgres");
        return ConnectionSettings.fromEnvironment(env);
    }
}
