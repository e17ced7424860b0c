package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** revision_graph.py with Debian's python3 and alembic on a three-revision project; no database involved. */
class RevisionGraphIT {

    @TempDir
    Path tmp;

    private AlembicProject project;
    private final List<String> logged = new ArrayList<>();

    @BeforeEach
    void project() throws IOException {
        project = AlembicProject.create(tmp.resolve("m"), true)
                .revision("0003_phone", "0002_email", "add phone", "op.add_column('customers', sa.Column('phone', sa.Text))");
    }

    private RevisionGraph.Classification classify(String target, String... current) throws RunnerException {
        return RevisionGraph.classify(AlembicProject.tools(), project.dir(), target, List.of(current), logged::add);
    }

    private static void assertRoute(Direction direction, List<String> revisions, RevisionGraph.Classification actual) {
        assertEquals(direction, actual.direction(), actual.toString());
        assertEquals(revisions, actual.revisions(), actual.toString());
    }

    @Test
    void upwardsListsTheRevisionsToApply() throws RunnerException {
        assertRoute(Direction.UPGRADE, List.of("0001_init", "0002_email", "0003_phone"), classify("head"));
        assertRoute(Direction.UPGRADE, List.of("0003_phone"), classify("+1", "0002_email"));
    }

    @Test
    void belowTheCurrentRevisionIsADowngradeListingWhatItUndoes() throws RunnerException {
        RevisionGraph.Classification down = classify("0001_init", "0003_phone");
        assertRoute(Direction.DOWNGRADE, List.of("0003_phone", "0002_email"), down);
        // A linear graph: Alembic is given the target as it is, and lands exactly there.
        assertEquals("0001_init", down.argument());
        assertEquals(List.of("0001_init"), down.expected());
        assertEquals(List.of(), down.extraRows());
        assertRoute(Direction.DOWNGRADE, List.of("0002_email", "0001_init"), classify("base", "0002_email"));
    }

    @Test
    void atTheTargetThereIsNothingToDo() throws RunnerException {
        assertRoute(Direction.NONE, List.of(), classify("head", "0003_phone"));
        assertRoute(Direction.NONE, List.of(), classify("0002_email", "0002_email"));
        assertRoute(Direction.NONE, List.of(), classify("base"));
    }

    @Test
    void unknownRevisionsAreAlembicsMessage() throws IOException {
        RunnerException target = assertThrows(RunnerException.class, () -> classify("nosuchrev", "0001_init"));
        assertEquals(ExitCode.BAD_INPUT, target.exitCode());
        assertTrue(target.getMessage().contains("Can't locate revision identified by 'nosuchrev'"), target.getMessage());
        assertTrue(target.getMessage().contains("target revision 'nosuchrev'"), target.getMessage());
        assertTrue(target.getMessage().contains("(their head is 0003_phone)"), target.getMessage());

        RunnerException current = assertThrows(RunnerException.class, () -> classify("head", "ffff_gone"));
        assertTrue(current.getMessage().contains("'ffff_gone'"), current.getMessage());
    }

    @Test
    void targetsAreCheckedWithoutTheDatabase() throws RunnerException {
        for (String known : List.of("head", "heads", "base", "0002", "0002_email", "+2", "0001_init+1", "head-1", "-1")) {
            RevisionGraph.checkTarget(AlembicProject.tools(), project.dir(), known, logged::add);
        }
        for (String unknown : List.of("nosuchrev", "nope+1", "xpand@head", "0009")) {
            RunnerException e = assertThrows(RunnerException.class,
                    () -> RevisionGraph.checkTarget(AlembicProject.tools(), project.dir(), unknown, logged::add));
            assertEquals(ExitCode.BAD_INPUT, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().startsWith("target revision '" + unknown + "' is not in the migrations in "
                    + project.dir() + ": "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(their head is 0003_phone)"), e.getMessage());
        }
    }

    @Test
    void aScriptThatDoesNotImportIsNamed() throws IOException {
        Files.writeString(project.dir().resolve("versions/0004_broken.py"),
                "revision = '0004_broken'\ndown_revision = '0003_phone'\nimport no_such_module\n");
        RunnerException e = assertThrows(RunnerException.class, () -> classify("head"));
        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("No module named 'no_such_module'"), e.getMessage());
        assertFalse(Files.exists(project.dir().resolve("versions/__pycache__")), "no bytecode written");
    }

    @Test
    void aPythonWithoutAlembicOrNoPythonAtAllIsSaidPlainly() {
        Tools noAlembic = new Tools("pg_dump", "pg_restore", AlembicProject.ALEMBIC, "/bin/false");
        RunnerException e = assertThrows(RunnerException.class, () -> RevisionGraph.classify(noAlembic, project.dir(),
                "head", List.of(), null));
        assertTrue(e.getMessage().contains("/bin/false could not read the Alembic revision graph (exit 1)"),
                e.getMessage());

        Tools missing = Tools.fromEnvironment(Map.of("DBMIGRATE_PYTHON", tmp.resolve("nopython").toString()));
        RunnerException m = assertThrows(RunnerException.class, () -> RevisionGraph.classify(missing, project.dir(),
                "head", List.of(), null));
        assertEquals(ExitCode.MIGRATION_FAILED, m.exitCode());
        assertTrue(m.getMessage().contains("DBMIGRATE_PYTHON"), m.getMessage());
    }
}
