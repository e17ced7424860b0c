package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.MigrationLock;
import io.dbmigrate.contract.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code backup} then {@code upgrade --expect-backup}, as the containers of one pod run them (sharing TMPDIR): the
 * upgrade runs only from the revision the backup was taken at, so the dump is the state it starts from.
 */
class ExpectBackupIT extends ProjectFixture {

    private Path pod;

    ExpectBackupIT() {
        super("expectbackup", AlembicProject::withPhone);
    }

    @BeforeEach
    void createFolders() throws IOException {
        pod = Files.createDirectories(tmp.resolve("pod-tmp"));
        Files.createDirectories(tmp.resolve("backups"));
    }

    private CommandLineRun runner(String... args) throws IOException {
        return CommandLineRun.run(tmp, db.env(), Map.of("TMPDIR", pod.toString()), args);
    }

    private CommandLineRun backup() throws IOException {
        return runner("backup", "--dir", tmp.resolve("backups").toString(), "--name", "crm", "--label", "g1");
    }

    private CommandLineRun upgradeExpectingBackup() throws IOException {
        return runner("upgrade", "--migrations", project.dir().toString(), "--target", "head", "--lock-wait", "5s",
                "--expect-backup");
    }

    @Test
    void anUpgradeFromTheBackupsRevisionRuns() throws Exception {
        CommandLineRun backup = backup();
        assertEquals(0, backup.exit(), backup.err());
        assertTrue(Files.isRegularFile(pod.resolve("dbmigrate-backup.json")));

        CommandLineRun upgrade = upgradeExpectingBackup();

        assertEquals(0, upgrade.exit(), upgrade.err());
        assertEquals(List.of("0003_phone"), db.alembicVersion());
    }

    @Test
    void aDatabaseMigratedSinceItsBackupIsBackupOutdatedAndLeftAsItIs() throws Exception {
        CommandLineRun backup = backup();
        assertEquals(0, backup.exit(), backup.err());
        assertEquals("base", backup.result().backup().revision());
        project.alembicByHand(db.env(), "upgrade", "0001_init");

        CommandLineRun upgrade = upgradeExpectingBackup();

        assertEquals(ExitCode.BACKUP_OUTDATED.code(), upgrade.exit(), upgrade.err());
        assertEquals("BackupOutdated", upgrade.result().reason());
        assertTrue(upgrade.result().message().contains("the database is at 0001_init, not at base where its backup"
                + " was taken just before"), upgrade.result().message());
        assertEquals(List.of(), upgrade.result().upgrade().appliedRevisions());
        assertEquals(List.of("0001_init"), db.alembicVersion(), "nothing ran");
    }

    @Test
    void aBackupWaitsForTheMigrationLockAndReadsTheRevisionAfterIt() throws Exception {
        try (Connection holder = db.connect(); Statement st = holder.createStatement();
             Connection observer = db.connect(); Statement watch = observer.createStatement()) {
            // Another migration of this database holds the lock, and has not committed its revision yet.
            st.execute("select pg_advisory_lock(" + MigrationLock.KEY + ", hashtext(current_database()))");
            holder.setAutoCommit(false);
            st.execute("create table alembic_version (version_num varchar(32) primary key)");
            st.execute("insert into alembic_version values ('0001_init')");

            CompletableFuture<BackupResult> backup = CompletableFuture.supplyAsync(() -> {
                try {
                    return Backup.run(Databases.settings(db), AlembicProject.tools(),
                            new BackupRequest(tmp.resolve("backups"), "crm", "g1", 5), Clock.systemUTC());
                } catch (RunnerException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            // Until the backup is seen asking for the lock; a backup that takes no lock ends (at base) instead.
            // (Seen from a session of its own: pg_stat_activity stays the same within the holder's transaction.)
            while (!backup.isDone() && !askingForTheLock(watch)) {
                Thread.sleep(50);
            }
            assertFalse(backup.isDone(), () -> "the backup did not wait for the migration lock: revision "
                    + backup.join().revision());

            holder.commit();
            holder.setAutoCommit(true);
            st.execute("select pg_advisory_unlock(" + MigrationLock.KEY + ", hashtext(current_database()))");
            assertEquals("0001_init", backup.get().revision(), "read once the other migration was done");
        }
    }

    private boolean askingForTheLock(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where datname = current_database()"
                + " and application_name = '" + ConnectionSettings.APPLICATION_NAME + "'"
                + " and query like '%pg_try_advisory_lock%'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    @Test
    void withoutTheBackupsResultTheUpgradeDoesNotStart() throws Exception {
        CommandLineRun upgrade = upgradeExpectingBackup();

        assertEquals(ExitCode.UNEXPECTED.code(), upgrade.exit(), upgrade.err());
        assertTrue(upgrade.result().message().contains("holds no backup of this pod"), upgrade.result().message());
        assertEquals(List.of(), db.alembicVersion(), "nothing ran");
    }
}
