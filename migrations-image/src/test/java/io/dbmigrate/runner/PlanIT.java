package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** plan with the real Alembic: what would run, and its SQL, without running it. */
class PlanIT extends ProjectFixture {

    private final ByteArrayOutputStream sql = new ByteArrayOutputStream();

    PlanIT() {
        super("plan", AlembicProject::withPhone);
    }

    private PlanResult plan(String target, boolean allowDowngrade) throws RunnerException {
        return Plan.run(Databases.settings(db), AlembicProject.tools(), new PlanRequest(project.dir(), target, allowDowngrade),
                logStream(), new PrintStream(sql, true, StandardCharsets.UTF_8));
    }

    private String printedSql() {
        return sql.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pendingRevisionsWithTheirSqlAndNothingRun() throws Exception {
        upgradeDatabaseTo("0001_init");

        PlanResult p = plan("head", false);

        assertEquals("head", p.target());
        assertEquals("0001_init", p.fromRevision());
        assertEquals(UpgradeResult.UPGRADE, p.direction());
        assertEquals(List.of("0002_email", "0003_phone"), p.pendingRevisions());
        assertNull(p.sqlUnavailable());
        assertEquals(Boolean.TRUE, p.sqlComplete());
        String whole = printedSql();
        assertEquals(whole, CompressedSql.decode(p.sqlGzipBase64()));
        assertEquals(whole.getBytes(StandardCharsets.UTF_8).length, p.sqlBytes());
        assertTrue(whole.contains("ALTER TABLE customers ADD COLUMN email TEXT;"), whole);
        assertTrue(whole.contains("ALTER TABLE customers ADD COLUMN phone TEXT;"), whole);
        assertTrue(whole.contains("UPDATE alembic_version SET version_num='0003_phone'"), whole);
        assertFalse(whole.contains("CREATE TABLE customers"), "starts at the database's revision: " + whole);
        // A plan changes nothing.
        assertEquals(List.of("0001_init"), db.alembicVersion());
        assertFalse(db.columnExists("customers", "email"));
    }

    @Test
    void fromBaseTheSqlCreatesEverything() throws Exception {
        PlanResult p = plan("0002_email", false);
        assertEquals("base", p.fromRevision());
        assertEquals(List.of("0001_init", "0002_email"), p.pendingRevisions());
        assertTrue(printedSql().contains("CREATE TABLE customers"), printedSql());
        assertTrue(printedSql().contains("CREATE TABLE alembic_version"), printedSql());
        assertEquals(List.of(), db.alembicVersion());
    }

    @Test
    void nothingPendingIsDirectionNone() throws Exception {
        upgradeDatabaseTo("head");
        PlanResult p = plan("head", false);
        assertEquals(PlanResult.NONE, p.direction());
        assertEquals(List.of(), p.pendingRevisions());
        assertNull(p.sqlGzipBase64());
        assertEquals("", printedSql());
    }

    @Test
    void aRevisionThatCannotRunOfflineStillGivesAPlan() throws Exception {
        project.revision("0004_reads", "0003_phone", "reads the data",
                "n = op.get_bind().execute(sa.text('select count(*) from customers')).scalar()\n"
                        + "op.execute('select %d' % n)");
        upgradeDatabaseTo("0003_phone");

        PlanResult p = plan("head", false);

        assertEquals(List.of("0004_reads"), p.pendingRevisions());
        assertNull(p.sqlGzipBase64());
        assertTrue(p.sqlUnavailable() != null && p.sqlUnavailable().contains("AttributeError"), p.sqlUnavailable());
        assertEquals(List.of("0003_phone"), db.alembicVersion());
    }

    @Test
    void aDowngradeIsPlannedOnlyWhenAllowed() throws Exception {
        upgradeDatabaseTo("head");

        RunnerException e = assertThrows(RunnerException.class, () -> plan("0002_email", false));
        assertEquals(ExitCode.DOWNGRADE_NOT_ALLOWED, e.exitCode());
        assertTrue(e.getMessage().startsWith("target 0002_email is below the current revision 0003_phone: it would"
                + " undo 1 revision (0003_phone)"), e.getMessage());
        PlanResult refused = e.planResult().orElseThrow();
        assertEquals(UpgradeResult.DOWNGRADE, refused.direction());
        assertEquals(List.of("0003_phone"), refused.pendingRevisions());

        PlanResult p = plan("0002_email", true);
        assertEquals(UpgradeResult.DOWNGRADE, p.direction());
        assertEquals(List.of("0003_phone"), p.pendingRevisions());
        assertTrue(printedSql().contains("ALTER TABLE customers DROP COLUMN phone;"), printedSql());
        assertTrue(printedSql().contains("UPDATE alembic_version SET version_num='0002_email'"), printedSql());
        assertEquals(List.of("0003_phone"), db.alembicVersion());
        assertTrue(db.columnExists("customers", "phone"));
    }
}
