package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;

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
}
