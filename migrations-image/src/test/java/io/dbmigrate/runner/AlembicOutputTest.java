package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** On output captured from Debian's alembic 1.8.1 with Python 3.11 (src/test/resources/alembic-output). */
class AlembicOutputTest {

    private static List<String> sample(String name) throws IOException {
        try (InputStream in = AlembicOutputTest.class.getResourceAsStream("/alembic-output/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void sqlErrorAfterTwoGoodRevisions() throws IOException {
        List<String> out = sample("sql-error.txt");
        assertEquals(List.of("0001_init", "0002_email", "0003_bad"), AlembicOutput.appliedRevisions(out));
        assertEquals(Optional.of("0003_bad"), AlembicOutput.lastStartedRevision(out));
        String error = AlembicOutput.error(out).orElseThrow();
        assertEquals("sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation \"no_such_table\""
                + " does not exist", error);
        assertFalse(AlembicOutput.isLockTimeout(error));
        assertEquals(Optional.of("/tmp/albt/versions/0003_bad.py"), AlembicOutput.failingScript(out));
    }

    @Test
    void stepsKeepFromToAndMessage() throws IOException {
        List<AlembicOutput.Step> steps = AlembicOutput.steps(sample("sql-error.txt"));
        assertEquals(new AlembicOutput.Step(List.of(), "0001_init", "create customers"), steps.get(0));
        // The message itself has a comma; it stays the message.
        assertEquals(new AlembicOutput.Step(List.of("0001_init"), "0002_email", "add email, with a comma"), steps.get(1));
    }

    @Test
    void nameErrorWithoutLoggingNamesTheScriptFromTheTraceback() throws IOException {
        List<String> out = sample("name-error-no-logging.txt");
        assertEquals(List.of(), AlembicOutput.appliedRevisions(out));
        assertEquals(Optional.empty(), AlembicOutput.lastStartedRevision(out));
        assertEquals(Optional.of("/tmp/albt-nolog/versions/0003_nameerror.py"), AlembicOutput.failingScript(out));
        assertEquals(Optional.of("NameError: name 'sa' is not defined"), AlembicOutput.error(out));
    }

    @Test
    void alembicsOwnFailureLine() throws IOException {
        List<String> out = sample("unknown-target.txt");
        assertEquals(Optional.of("FAILED: Can't locate revision identified by 'nope'"), AlembicOutput.error(out));
        assertEquals(Optional.empty(), AlembicOutput.failingScript(out));
        assertEquals(List.of(), AlembicOutput.appliedRevisions(out));
    }

    @Test
    void lockTimeoutIsRecognised() throws IOException {
        List<String> out = sample("lock-timeout.txt");
        String error = AlembicOutput.error(out).orElseThrow();
        assertEquals("sqlalchemy.exc.OperationalError: (psycopg2.errors.LockNotAvailable) canceling statement due to"
                + " lock timeout", error);
        assertTrue(AlembicOutput.isLockTimeout(error));
        assertEquals(Optional.of("0003_lock"), AlembicOutput.lastStartedRevision(out));
    }

    @Test
    void mergeStepsAndStepsWithoutMessage() {
        List<String> out = List.of(
                "INFO  [alembic.runtime.migration] Running upgrade base1 -> a1, branch a",
                "INFO  [alembic.runtime.migration] Running upgrade base1 -> b2",
                "INFO  [alembic.runtime.migration] Running upgrade a1, b2 -> m3, merge heads a1, b2",
                "INFO  [alembic.runtime.migration] Running stamp_revision  -> x9",
                "some other line mentioning Running upgrade without arrow");
        List<AlembicOutput.Step> steps = AlembicOutput.steps(out);
        assertEquals(3, steps.size());
        assertEquals(new AlembicOutput.Step(List.of("base1"), "b2", ""), steps.get(1));
        assertEquals(new AlembicOutput.Step(List.of("a1", "b2"), "m3", "merge heads a1, b2"), steps.get(2));
        assertEquals(List.of("a1", "b2", "m3"), AlembicOutput.appliedRevisions(out));
    }

    @Test
    void revisionDeclaredInScripts() {
        assertEquals(Optional.of("0003_x"), AlembicOutput.revisionDeclaredIn(
                "\"\"\"doc\"\"\"\nfrom alembic import op\nrevision = '0003_x'\ndown_revision = '0002'\n"));
        assertEquals(Optional.of("ae1027a6acf"), AlembicOutput.revisionDeclaredIn(
                "revision: str = \"ae1027a6acf\"\ndown_revision: Union[str, None] = None\n"));
        assertEquals(Optional.empty(), AlembicOutput.revisionDeclaredIn("down_revision = 'x'\n"));
    }

    @Test
    void errorIsBoundedAndFallsBackToTheLastLine() {
        String longLine = "ValueError: " + "x".repeat(2000);
        String error = AlembicOutput.error(List.of("Traceback (most recent call last):", "  File \"a.py\", line 1",
                longLine)).orElseThrow();
        assertEquals(AlembicOutput.MAX_ERROR_LENGTH, error.length());
        assertTrue(error.startsWith("ValueError: xxx"));
        assertEquals(Optional.of("something odd"), AlembicOutput.error(List.of("first", "  something odd  ", "")));
        assertEquals(Optional.empty(), AlembicOutput.error(List.of()));
    }

    @Test
    void downgradeStepsNameTheRevisionsUndoneInOrder() throws IOException {
        List<String> out = sample("downgrade.txt");
        assertEquals(List.of("0003_slow", "0002_email", "0001_init"), AlembicOutput.undoneRevisions(out));
        assertEquals(Optional.of("0001_init"), AlembicOutput.lastUndoneRevision(out));
        // Downgrade lines are not upgrade steps.
        assertEquals(List.of(), AlembicOutput.appliedRevisions(out));
        assertEquals(List.of(), AlembicOutput.undoneRevisions(sample("sql-error.txt")));
        assertEquals(Optional.empty(), AlembicOutput.lastUndoneRevision(List.of()));
    }

    @Test
    void statementTimeoutInADowngrade() throws IOException {
        List<String> out = sample("statement-timeout-downgrade.txt");
        String error = AlembicOutput.error(out).orElseThrow();
        assertEquals("sqlalchemy.exc.OperationalError: (psycopg2.errors.QueryCanceled) canceling statement due to"
                + " statement timeout", error);
        assertTrue(AlembicOutput.isStatementTimeout(error));
        assertFalse(AlembicOutput.isLockTimeout(error));
        assertFalse(AlembicOutput.isStatementTimeout(AlembicOutput.error(sample("lock-timeout.txt")).orElseThrow()));
        assertEquals(Optional.of("0003_slow"), AlembicOutput.lastUndoneRevision(out));
        assertEquals(Optional.of("/tmp/albt-dg/versions/0003_slow.py"), AlembicOutput.failingScript(out, "downgrade"));
        assertEquals(Optional.empty(), AlembicOutput.failingScript(out, "upgrade"));
    }
}
