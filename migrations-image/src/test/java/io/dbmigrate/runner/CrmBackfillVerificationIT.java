package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's computed_score backfill paged with {@code WHERE computed_score IS NULL LIMIT 1000 OFFSET k}: it skips
 * rows and still exits 0. A verification query catches it; the fixed revision in examples/crm passes the same one.
 */
class CrmBackfillVerificationIT {

    private static final String BACKFILL = "stu901vwx234";
    private static final String BACKFILL_FILE = "stu901vwx234_backfill_customer_computed_score.py";
    private static final VerifyQuery SCORES_BACKFILLED = new VerifyQuery("scores-backfilled",
            "select count(*) = 0 from customers where computed_score is null");
    private static final String UNSCORED = "select count(*) from customers where computed_score is null";

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("crm_verify");

    /** examples/crm, copied so a revision can be swapped; alembic.ini uses %(here)s, so it runs from anywhere. */
    private Path crmProject() throws IOException {
        return Examples.copy("crm", tmp.resolve("crm"));
    }

    private void useTheSeedsBackfill(Path project) throws IOException {
        try (InputStream seed = getClass().getResourceAsStream("/seed-crm/" + BACKFILL_FILE)) {
            Files.write(project.resolve("versions").resolve(BACKFILL_FILE), seed.readAllBytes());
        }
    }

    private UpgradeResult upgrade(Path project, String target, List<VerifyQuery> verify) throws RunnerException {
        return Upgrade.run(Databases.settings(db), AlembicProject.tools(),
                Requests.upgrade(project, target, LockSafety.DEFAULT, verify, OnFailure.HALT, false), Clock.systemUTC(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** 5,500 customers; customer cN gets N % 4 messages. As CrmExampleIT.backfillLeavesNoRowBehind. */
    private void customersWithMessages(Path project) throws Exception {
        upgrade(project, "mno345pqr678", List.of());
        db.execute("insert into customers (email, name)"
                        + " select 'c' || g || '@example.com', 'Customer ' || g from generate_series(1, 5500) g",
                "insert into messages (customer_id, body)"
                        + " select c.id, 'message ' || g"
                        + " from (select id, split_part(substr(email, 2), '@', 1)::int as n from customers) c"
                        + " cross join lateral generate_series(1, c.n % 4) g");
    }

    @Test
    void theSeedsOffsetBackfillSucceedsInAlembicButFailsVerification() throws Exception {
        Path project = crmProject();
        useTheSeedsBackfill(project);
        customersWithMessages(project);

        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, BACKFILL, List.of(SCORES_BACKFILLED)));

        assertEquals(ExitCode.VERIFICATION_FAILED, e.exitCode());
        assertEquals("verification scores-backfilled returned false; the database is at " + BACKFILL, e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals("scores-backfilled", r.failedVerification());
        assertEquals(List.of(BACKFILL), r.appliedRevisions(), "Alembic itself reported success");
        // What the seed's paging leaves behind (measured: 2,500 of 5,500).
        assertEquals(2_500, db.queryLong(UNSCORED));
    }

    @Test
    void theFixedBackfillPassesTheSameVerification() throws Exception {
        Path project = crmProject();
        customersWithMessages(project);

        UpgradeResult r = upgrade(project, BACKFILL, List.of(SCORES_BACKFILLED));

        assertEquals(List.of("scores-backfilled"), r.verified());
        assertEquals(BACKFILL, r.toRevision());
        assertEquals(0, db.queryLong(UNSCORED));
    }
}
