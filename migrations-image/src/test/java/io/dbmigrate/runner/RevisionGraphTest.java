package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevisionGraphTest {

    private static final Tools TOOLS = new Tools("pg_dump", "pg_restore", "alembic", "python3");

    /** ijk678lmn901 -> cde012fgh345 with Alembic 1.8.1, which writes vwx234yz567 too (sqlalchemy/alembic#1373). */
    private static final RevisionGraph.Classification CONTRACT_UNDONE = new RevisionGraph.Classification(
            Direction.DOWNGRADE, List.of("ijk678lmn901"), "ijk678lmn901@-1", List.of("cde012fgh345"),
            List.of("vwx234yz567"));

    private static RevisionGraph.Classification interpret(String... lines) throws RunnerException {
        return RevisionGraph.interpret(new ExternalProcess.Outcome(0, List.of(lines)), TOOLS, "cde012fgh345",
                List.of("ijk678lmn901"), null);
    }

    @Test
    void theDowngradeArgumentAndTheRowsExpectedAreRead() throws RunnerException {
        assertEquals(CONTRACT_UNDONE, interpret("some warning", RevisionGraph.MARKER
                + "{\"direction\": \"down\", \"revisions\": [\"ijk678lmn901\"], \"argument\": \"ijk678lmn901@-1\","
                + " \"expect\": [\"cde012fgh345\"], \"extraRows\": [\"vwx234yz567\"]}"));
    }

    @Test
    void withoutAnArgumentTheTargetIsTheArgument() throws RunnerException {
        RevisionGraph.Classification up = interpret(RevisionGraph.MARKER
                + "{\"direction\": \"up\", \"revisions\": [\"a\"]}");
        assertEquals("cde012fgh345", up.argument());
        assertEquals(List.of(), up.expected());
    }

    @Test
    void aRefusalIsAMigrationFailure() {
        RunnerException e = assertThrows(RunnerException.class, () -> interpret(RevisionGraph.MARKER
                + "{\"error\": \"no single `alembic downgrade` argument takes a to b\", \"refused\": true}"));
        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertEquals("Alembic cannot go from ijk678lmn901 to target 'cde012fgh345': no single `alembic downgrade`"
                + " argument takes a to b", e.getMessage());
    }

    @Test
    void landedOnlyOnExactlyTheExpectedRows() {
        assertTrue(CONTRACT_UNDONE.landedAt(List.of("cde012fgh345")));
        assertFalse(CONTRACT_UNDONE.landedAt(List.of("cde012fgh345", "vwx234yz567")));
        assertFalse(CONTRACT_UNDONE.landedAt(List.of("ijk678lmn901")));
        assertFalse(CONTRACT_UNDONE.landedAt(List.of()));
    }

    @Test
    void onlyThePredictedAncestorRowsBesideTheExpectedOnesAreStray() {
        assertEquals(List.of("vwx234yz567"), CONTRACT_UNDONE.strayRows(List.of("vwx234yz567", "cde012fgh345")));
        assertEquals(List.of(), CONTRACT_UNDONE.strayRows(List.of("cde012fgh345")), "env.py deleted it already");
        assertEquals(List.of(), CONTRACT_UNDONE.strayRows(List.of("vwx234yz567")), "the expected row is missing");
        assertEquals(List.of(), CONTRACT_UNDONE.strayRows(List.of("ijk678lmn901", "vwx234yz567", "cde012fgh345")));
        RevisionGraph.Classification linear = new RevisionGraph.Classification(Direction.DOWNGRADE,
                List.of("0002"), "0001", List.of("0001"), List.of());
        assertEquals(List.of(), linear.strayRows(List.of("0001", "0000")), "nothing predicted, nothing deleted");
    }

    @Test
    void thePlanSaysWhatUpgradeDoesAboutTheStrayRow() {
        assertEquals("", Plan.strayRowsNote(new RevisionGraph.Classification(Direction.DOWNGRADE, List.of("0002"),
                "0001", List.of("0001"), List.of())));
        assertTrue(Plan.strayRowsNote(CONTRACT_UNDONE).contains("leaves alembic_version row(s) vwx234yz567 beside"
                + " cde012fgh345 (sqlalchemy/alembic#1373)"));
    }
}
