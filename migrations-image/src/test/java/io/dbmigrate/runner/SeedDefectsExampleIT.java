package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/seed-defects on a CRM database with data, run in place by the runner: its alembic.ini reuses examples/crm's
 * env.py and revisions, and adds two revisions that carry the reference guide's defects. The NameError revision fails
 * and changes nothing; the erasure revision upgrades, and its guide-style downgrade then fails on the NULLs the upgrade
 * wrote, until those rows get a customer again (what its docstring says a correct downgrade does). The revisions run
 * from both states examples/crm leaves production in: the expand head and the contract head.
 */
class SeedDefectsExampleIT {

    private static final String NAME_ERROR = "efg345hij678";
    private static final String ERASURE = "klm567nop890";
    private static final String EXPAND_HEAD = "cde012fgh345";
    private static final String CONTRACT_HEAD = "ijk678lmn901";
    private static final String NOT_NULL_ERROR = "column \"customer_id\" of relation \"messages\" contains null values";

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("seed_defects");
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** The example itself, not a copy: it names ../crm, and the runner writes no bytecode there. */
    private static Path project() {
        return Examples.dir("seed-defects");
    }

    private UpgradeResult migrate(String target, boolean allowDowngrade) throws RunnerException {
        return Upgrade.run(Databases.settings(db), AlembicProject.tools(), Requests.upgrade(project(), target,
                LockSafety.DEFAULT, List.of(), OnFailure.HALT, allowDowngrade), Clock.systemUTC(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    /**
     * The CRM database at {@code crmTarget} (through this project: expand@head and contract@head must still name one
     * revision each), with 20 customers, 4 of whom asked to be erased, 2 tickets and 3 messages each.
     */
    private List<String> crmWithData(String crmTarget) throws Exception {
        migrate(crmTarget, false);
        db.execute("insert into customers (email, name, preferences)"
                        + " select 'c' || g || '@example.com', 'Customer ' || g,"
                        + " case when g % 5 = 0 then '{\"erasure_requested\": true}' else '{}' end::jsonb"
                        + " from generate_series(1, 20) g",
                "insert into tickets (customer_id, subject)"
                        + " select c.id, 'ticket ' || t from customers c cross join generate_series(1, 2) t",
                "insert into messages (customer_id, ticket_id, body)"
                        + " select t.customer_id, t.id, 'about ' || t.subject from tickets t",
                "insert into messages (customer_id, body) select id, 'a note' from customers");
        return db.alembicVersion();
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"expand@head", "contract@head"})
    void theNameErrorRevisionFailsAndLeavesTheDatabaseAsItWas(String crmTarget) throws Exception {
        List<String> before = crmWithData(crmTarget);

        RunnerException e = assertThrows(RunnerException.class, () -> migrate(NAME_ERROR, false));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        String from = Revisions.describe(before);
        assertEquals("revision " + NAME_ERROR + " failed: NameError: name 'sa' is not defined;"
                + " nothing was applied, the database is still at " + from, e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals(NAME_ERROR, r.failedRevision());
        assertEquals(List.of(), r.appliedRevisions());
        assertEquals(Set.copyOf(before), Set.copyOf(db.alembicVersion()));
        assertEquals(0, db.queryLong(
                "select count(*) from pg_indexes where indexname = 'idx_open_tickets_updated_at'"));
    }

    /** Upgrades to the erasure revision: 4 customers erased, their 8 tickets and 12 messages kept, detached. */
    private List<String> erase() throws Exception {
        UpgradeResult up = migrate(ERASURE, false);

        assertEquals(List.of(ERASURE), up.appliedRevisions());
        assertEquals(16, db.queryLong("select count(*) from customers"));
        assertEquals(0, db.queryLong(
                "select count(*) from customers where preferences @> '{\"erasure_requested\": true}'"));
        assertEquals(8, db.queryLong("select count(*) from tickets where customer_id is null"));
        assertEquals(12, db.queryLong("select count(*) from messages where customer_id is null"));
        List<String> upgraded = db.alembicVersion();
        assertTrue(upgraded.contains(ERASURE), upgraded.toString());
        return upgraded;
    }

    @Test
    void theErasureUpgradesButItsDowngradeFailsOnTheNullsItWrote() throws Exception {
        List<String> before = crmWithData("expand@head");
        assertEquals(List.of(EXPAND_HEAD), before);
        List<String> upgraded = erase();

        // Back to where the step started, as spec.targetRevision cde012fgh345 with allowDowngrade would go.
        RunnerException e = assertThrows(RunnerException.class, () -> migrate(EXPAND_HEAD, true));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("the downgrade of revision " + ERASURE + " failed: "), e.getMessage());
        assertTrue(e.getMessage().contains(NOT_NULL_ERROR), e.getMessage());
        UpgradeResult down = e.upgradeResult().orElseThrow();
        assertEquals("downgrade", down.direction());
        assertEquals(ERASURE, down.failedRevision());
        assertEquals(List.of(), down.appliedRevisions());
        // One transaction: nothing of the downgrade stayed.
        assertEquals(Set.copyOf(upgraded), Set.copyOf(db.alembicVersion()));
        assertEquals(12, db.queryLong("select count(*) from messages where customer_id is null"));

        // What the docstring says a correct downgrade does first: a placeholder customer for the detached rows.
        db.execute("insert into customers (name) values ('erased customer')",
                "update tickets set customer_id = (select id from customers where name = 'erased customer')"
                        + " where customer_id is null",
                "update messages set customer_id = (select id from customers where name = 'erased customer')"
                        + " where customer_id is null");
        UpgradeResult fixed = migrate(EXPAND_HEAD, true);

        assertEquals(List.of(ERASURE), fixed.appliedRevisions());
        assertEquals(before, db.alembicVersion());
        assertEquals(0, db.queryLong("select count(*) from information_schema.columns where table_name in ('tickets',"
                + " 'messages') and column_name = 'customer_id' and is_nullable = 'YES'"));
    }

    /**
     * From the contract head the step's own rollback hits the same wall: a verify query that wants every ticket to keep
     * a customer fails, onFailure: Downgrade takes the database back to where the run started, and that downgrade
     * fails. (An explicit target ijk678lmn901 would do nothing there: Alembic takes a revision alembic_version holds as
     * reached, the erasure beside it notwithstanding.)
     */
    @Test
    void fromTheContractHeadTheOnFailureDowngradeFailsTheSameWay() throws Exception {
        List<String> before = crmWithData("contract@head");
        assertEquals(List.of(CONTRACT_HEAD), before);

        RunnerException e = assertThrows(RunnerException.class, () -> Upgrade.run(Databases.settings(db),
                AlembicProject.tools(), Requests.upgrade(project(), ERASURE, LockSafety.DEFAULT,
                        List.of(new VerifyQuery("tickets-have-customers",
                                "select count(*) = 0 from tickets where customer_id is null")),
                        OnFailure.DOWNGRADE, false), Clock.systemUTC(), new PrintStream(log, true, StandardCharsets.UTF_8)));

        assertEquals(ExitCode.VERIFICATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("verification tickets-have-customers returned false; the database is at "),
                e.getMessage());
        assertTrue(e.getMessage().contains("; the downgrade to " + CONTRACT_HEAD + " failed: the downgrade of revision "
                + ERASURE + " failed: "), e.getMessage());
        assertTrue(e.getMessage().contains(NOT_NULL_ERROR), e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals(List.of(ERASURE), r.appliedRevisions());
        assertNull(r.rolledBackTo());
        assertEquals(Set.of(CONTRACT_HEAD, ERASURE), Set.copyOf(db.alembicVersion()), "the erasure stays applied");
        assertEquals(8, db.queryLong("select count(*) from tickets where customer_id is null"));
    }
}
