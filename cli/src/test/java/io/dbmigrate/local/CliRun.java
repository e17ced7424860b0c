package io.dbmigrate.local;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.testing.TestDatabase;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One {@code dbmigrate} command run in process, as the local-mode tests run it: its exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DbMigrateMain.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The environment of a run on {@code db}: its libpq variables and Debian's Alembic. */
    static Map<String, String> environment(TestDatabase db) {
        Map<String, String> environment = new HashMap<>(db.env());
        environment.put("DBMIGRATE_ALEMBIC", "/usr/bin/alembic");
        return environment;
    }

    /** The resource {@code -o yaml} printed. */
    DatabaseMigration printed() {
        return new KubernetesSerialization().unmarshal(out, DatabaseMigration.class);
    }
}
