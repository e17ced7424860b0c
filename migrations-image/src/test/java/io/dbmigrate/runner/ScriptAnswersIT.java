package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dbmigrate.contract.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RevisionGraph's answers kept in the JVM. What counts is how often Python is asked: each run of revision_graph.py
 * imports the project's revision files, and the first of them logs a line when imported (interpreter starts no longer
 * tell, as ForkServerIT shows: one interpreter forks every run).
 */
class ScriptAnswersIT {

    @TempDir
    Path tmp;

    private AlembicProject project;
    private Path starts;
    private Tools tools;

    @BeforeEach
    void project() throws IOException {
        ScriptAnswers.clear();
        project = AlembicProject.create(tmp.resolve("m"), true);
        starts = tmp.resolve("runs.log");
        Path first = project.dir().resolve("versions").resolve("0001_init.py");
        Files.writeString(first, Files.readString(first) + "\nwith open('" + starts + "', 'a') as runs:\n"
                + "    runs.write('run\\n')\n");
        tools = new Tools("pg_dump", "pg_restore", AlembicProject.ALEMBIC, "/usr/bin/python3");
    }

    private RevisionGraph.Classification classify(String target, String... current) throws RunnerException {
        return RevisionGraph.classify(tools, project.dir(), target, List.of(current), line -> { });
    }

    private long starts() throws IOException {
        return Files.exists(starts) ? Files.readAllLines(starts).size() : 0;
    }

    @Test
    void aSecondIdenticalQuestionRunsNoPython() throws Exception {
        RevisionGraph.Classification first = classify("head", "0001_init");
        assertEquals(1, starts());
        assertEquals(first, classify("head", "0001_init"));
        RevisionGraph.checkTarget(tools, project.dir(), "head", line -> { });
        RevisionGraph.checkTarget(tools, project.dir(), "head", line -> { });
        assertEquals(2, starts());
        // Other arguments are another question.
        assertEquals(Direction.NONE, classify("head", "0002_email").direction());
        assertEquals(3, starts());
    }

    @Test
    void anEditedRevisionFileIsANewQuestion() throws Exception {
        assertEquals(List.of("0002_email"), classify("head", "0001_init").revisions());
        project.revision("0003_phone", "0002_email", "add phone", "op.add_column('customers', sa.Column('phone', sa.Text))");
        assertEquals(List.of("0002_email", "0003_phone"), classify("head", "0001_init").revisions());
        assertEquals(2, starts());
    }

    @Test
    void anErrorIsNotKept() throws Exception {
        Path broken = project.dir().resolve("versions").resolve("0003_phone.py");
        Files.writeString(broken, "revision = '0003_phone'\ndown_revision = '0002_email'\n");
        Files.writeString(broken, "this is not python\n", java.nio.file.StandardOpenOption.APPEND);
        assertThrows(RunnerException.class, () -> classify("head", "0001_init"));
        assertThrows(RunnerException.class, () -> classify("head", "0001_init"));
        assertEquals(2, starts());
        assertThrows(RunnerException.class, () -> classify("nosuchrev", "0001_init"));
        Files.delete(broken);
        assertThrows(RunnerException.class, () -> classify("nosuchrev", "0001_init"));
        assertEquals(4, starts());
    }

    @Test
    void concurrentIdenticalQuestionsRunPythonOnce() throws Exception {
        int askers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(askers);
        try {
            CountDownLatch ready = new CountDownLatch(askers);
            List<Callable<RevisionGraph.Classification>> questions = new ArrayList<>();
            for (int i = 0; i < askers; i++) {
                questions.add(() -> {
                    ready.countDown();
                    ready.await();
                    return classify("head");
                });
            }
            List<RevisionGraph.Classification> answers = new ArrayList<>();
            for (Future<RevisionGraph.Classification> answer : pool.invokeAll(questions)) {
                answers.add(answer.get());
            }
            assertEquals(1, starts());
            answers.forEach(a -> assertEquals(List.of("0001_init", "0002_email"), a.revisions()));
        } finally {
            pool.shutdownNow();
        }
    }
}
