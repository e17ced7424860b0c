package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's computed_score backfill paged with {@code WHERE computed_score IS NULL LIMIT 1000 OFFSET k}: it skips
 * rows and still exits 0. A verification query catches it; the fixed revision in examples/crm passes the same one.
 */
class CrmBackfillVerificationIT {

    private static final String BACKFILL = "stu901vwx234";
    private static final String BACKFILL_FILE = "stu901vwx234_backfill_customer_computed_score.py";
    private static final VerifyQuery SCORES_BACKFILLED = new VerifyQuery("scores-backfilled",
            "select count(*) = 0 from customers where computed_score is null");

    @TempDir
    Path tmp;

    private TestDatabase db;

    @BeforeEach
    void createDatabase() throws SQLException {
        db = TestDatabase.create("crm_verify");
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        db.close();
    }

    /** examples/crm, copied so a revision can be swapped; alembic.ini uses %(here)s, so it runs from anywhere. */
    private Path crmProject() throws IOException {
        String root = System.getProperty("dbmigrate.repo.root");
        assertTrue(root != null && !root.isBlank(), "system property dbmigrate.repo.root (set by failsafe)");
        Path source = Path.of(root, "examples", "crm");
        Path copy = tmp.resolve("crm");
        Files.createDirectories(copy.resolve("versions"));
        for (String file : List.of("alembic.ini", "env.py", "script.py.mako")) {
            Files.copy(source.resolve(file), copy.resolve(file));
        }
        try (Stream<Path> versions = Files.list(source.resolve("versions"))) {
            for (Path v : versions.filter(p -> p.toString().endsWith(".py")).toList()) {
                Files.copy(v, copy.resolve("versions").resolve(v.getFileName()));
            }
        }
        return copy;
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

    private long unscored() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from customers where computed_score is null")) {
            rs.next();
            return rs.getLong(1);
        }
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
        assertEquals(2_500, unscored());
    }

    @Test
    void theFixedBackfillPassesTheSameVerification() throws Exception {
        Path project = crmProject();
        customersWithMessages(project);

        UpgradeResult r = upgrade(project, BACKFILL, List.of(SCORES_BACKFILLED));

        assertEquals(List.of("scores-backfilled"), r.verified());
        assertEquals(BACKFILL, r.toRevision());
        assertEquals(0, unscored());
    }
}
