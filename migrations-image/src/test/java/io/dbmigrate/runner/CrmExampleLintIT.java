package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * examples/crm shows the safe forms: the plan of each step of databasemigration-phased.yaml (sync-trigger, expand,
 * contract) has no error finding of the real squawk (DBMIGRATE_SQUAWK), on a real PostgreSQL, each step planned from
 * where the one before left the database. (A plan from base, as databasemigration.yaml's, creates the tables it indexes
 * in the same SQL, which squawk passes: the phased steps are the ones that can find an error.)
 */
class CrmExampleLintIT {
    private static final Path CRM = Path.of(System.getProperty("dbmigrate.repo.root", "..")).resolve("examples/crm")
            .toAbsolutePath().normalize();

    private final TestDatabase db = TestDatabase.create("crm_lint");

    @AfterEach
    void drop() {
        db.close();
    }

    private static Tools tools() {
        String squawk = System.getenv("DBMIGRATE_SQUAWK");
        assertNotNull(squawk, "DBMIGRATE_SQUAWK: scripts/test.sh installs squawk (ensure_squawk)");
        Tools t = AlembicProject.tools();
        return new Tools(t.pgDump(), t.pgRestore(), t.alembic(), t.python(), squawk);
    }

    private static PrintStream discard() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** The errors of the plan to {@code target} from where the database is, then the upgrade to it. */
    private List<String> errorsOfStep(String target) throws RunnerException {
        PlanResult plan = Plan.run(Databases.settings(db), tools(), new PlanRequest(CRM, target, false, true),
                discard(), discard());
        LintReport lint = plan.lint();
        assertNull(lint.unavailable(), target + ": " + lint.unavailable());
        List<String> errors = lint.findings().stream().filter(LintFinding::error)
                .map(f -> f.revision() + " " + f.rule() + ": " + f.statement()).collect(Collectors.toList());
        assertEquals(lint.errors(), errors.size(), "the findings are all there");
        Databases.upgrade(db, CRM, target);
        return errors;
    }

    @Test
    void thePhasedExamplesStepsHaveNoErrorFinding() throws RunnerException {
        assertEquals(List.of(), errorsOfStep("yza890bcd123"), "sync-trigger");
        assertEquals(List.of(), errorsOfStep("expand@head"), "expand");
        assertEquals(List.of(), errorsOfStep("contract@head"), "contract");
    }
}
