package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One run of dbmigrate-runner's command line, in-process, as a Job's container runs it.
 *
 * @param result the result JSON it wrote; null when it wrote none (help)
 */
record CommandLineRun(int exit, String out, String err, RunnerResult result) {

    /**
     * Runs {@code args} with {@code env}, Debian's alembic and a new result file in {@code dir}, unless env names
     * others.
     */
    static CommandLineRun run(Path dir, Map<String, String> env, String... args) throws IOException {
        Map<String, String> full = new HashMap<>(env);
        full.putIfAbsent("DBMIGRATE_ALEMBIC", AlembicProject.ALEMBIC);
        full.putIfAbsent("DBMIGRATE_RESULT_PATH", dir.resolve("result-" + System.nanoTime() + ".json").toString());
        Path resultFile = Path.of(full.get("DBMIGRATE_RESULT_PATH"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RunnerMain.execute(args, full, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLineRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                Files.isRegularFile(resultFile) ? RunnerJson.read(Files.readString(resultFile)) : null);
    }

    /** {@link #run} with {@code more} added to env. */
    static CommandLineRun run(Path dir, Map<String, String> env, Map<String, String> more, String... args)
            throws IOException {
        Map<String, String> full = new HashMap<>(env);
        full.putAll(more);
        return run(dir, full, args);
    }
}
