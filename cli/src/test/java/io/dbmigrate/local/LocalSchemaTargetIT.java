package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dbmigrate run -f` of a manifest whose spec.database names a schema: that schema is migrated, as in a cluster. */
class LocalSchemaTargetIT {
    private static final Path CRM = TestCluster.repoRoot().resolve("examples/crm");
    private static final String EXPAND_HEAD = "cde012fgh345";

    @TempDir
    Path temp;

    /** crm's revisions to {@code target} in {@code schema} of the test's database, backed up and rehearsed. */
    private Path manifest(String schema, String target) throws IOException {
        return Files.writeString(temp.resolve(schema + ".yaml"), """
                apiVersion: dbmigrate.io/v1alpha1
                kind: DatabaseMigration
                metadata: {name: crm-%s}
                spec:
                  database: {host: localhost, name: crm, schema: %s, credentialsSecret: {name: crm-db}}
                  migrations: {image: registry.example.com/crm-migrations:1.0.0}
                  targetRevision: %s
                  backup: {mode: Required, volume: {persistentVolumeClaim: {claimName: crm-backups}}}
                  rehearsal: {mode: Required}
                """.formatted(schema.replace('_', '-'), schema, target));
    }

    private int run(TestDatabase db, Path manifest, ByteArrayOutputStream err) {
        Map<String, String> environment = new HashMap<>(db.env());
        environment.put("DBMIGRATE_ALEMBIC", "/usr/bin/alembic");
        return DbMigrateMain.execute(new String[] {"run", "-f", manifest.toString(), "--migrations", CRM.toString(),
                "--backup-dir", temp.resolve("backups").toString()}, environment,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void eachManifestMigratesItsOwnSchemaOfOneDatabase() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_schemas")) {
            ByteArrayOutputStream errA = new ByteArrayOutputStream();
            assertEquals(DbMigrateMain.SUCCEEDED, run(db, manifest("tenant_a", "expand@head"), errA),
                    errA.toString(StandardCharsets.UTF_8));
            ByteArrayOutputStream errB = new ByteArrayOutputStream();
            assertEquals(DbMigrateMain.SUCCEEDED, run(db, manifest("tenant_b", "xyz789uvw012"), errB),
                    errB.toString(StandardCharsets.UTF_8));
            assertTrue(errB.toString(StandardCharsets.UTF_8).contains("rehearsing on a copy"),
                    errB.toString(StandardCharsets.UTF_8));

            assertTrue(db.queryBoolean("select string_agg(version_num, ',') = '" + EXPAND_HEAD + "'"
                    + " from tenant_a.alembic_version"), "tenant_a at the expand head");
            assertTrue(db.queryBoolean("select string_agg(version_num, ',') = 'xyz789uvw012'"
                    + " from tenant_b.alembic_version"), "tenant_b at the base tables");
            assertEquals(1, db.queryLong("select count(*) from information_schema.columns where table_schema = 'tenant_a'"
                    + " and table_name = 'customers' and column_name = 'preferences'"));
            assertEquals(0, db.queryLong("select count(*) from information_schema.columns where table_schema = 'tenant_b'"
                    + " and table_name = 'customers' and column_name = 'preferences'"));
            assertEquals(0, db.queryLong("select count(*) from information_schema.tables where table_schema = 'public'"),
                    "public untouched");
        }
    }
}
