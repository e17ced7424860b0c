package io.dbmigrate.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a target lies from the database's revision in the Alembic project's script graph: above it (an upgrade),
 * below it (a downgrade), or already reached. Alembic answers it itself: {@code revision_graph.py} (a resource of
 * this jar), run with {@code python -c} by {@link Tools#python()}, calls the functions {@code alembic upgrade} and {@code alembic downgrade} call. Needed
 * because {@code alembic upgrade <an ancestor of the current revision>} exits 0 and does nothing.
 */
public final class RevisionGraph {

    static final String SCRIPT_RESOURCE = "revision_graph.py";
    static final String MARKER = "dbmigrate-revision-graph: ";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param revisions for an upgrade the revisions it applies, for a downgrade the ones it undoes, in order
     */
    public record Classification(Direction direction, List<String> revisions) {
        public Classification {
            revisions = List.copyOf(revisions);
        }
    }

    private RevisionGraph() {
    }

    /**
     * @param current the database's revisions (empty at base)
     * @param log     sees what the script printed besides its answer (warnings of migration scripts on import)
     * @throws RunnerException MIGRATION_FAILED with Alembic's message when the target or the current revision is not
     *                         in the scripts, or the scripts cannot be loaded
     */
    public static Classification classify(Tools tools, Path migrationsDir, String target, List<String> current,
                                          Consumer<String> log) throws RunnerException {
        String script;
        try (InputStream in = RevisionGraph.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT_RESOURCE + " is missing from the runner jar");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The script as an argument (python -c), not a file: nothing to write, so a read-only root filesystem
        // without a writable /tmp works too. -B: loading the revisions must not write __pycache__ either.
        List<String> command = new ArrayList<>(List.of(tools.python(), "-B", "-c", script, target));
        command.addAll(current);
        try {
            ExternalProcess.Outcome outcome = ExternalProcess.run(command, migrationsDir,
                    Map.of("PYTHONDONTWRITEBYTECODE", "1"), null);
            return interpret(outcome, tools, target, current, log);
        } catch (IOException e) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "cannot run " + tools.python()
                    + " (DBMIGRATE_PYTHON) to read the Alembic revision graph: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerException(ExitCode.UNEXPECTED, "interrupted while reading the Alembic revision graph", e);
        }
    }

    static Classification interpret(ExternalProcess.Outcome outcome, Tools tools, String target, List<String> current,
                                    Consumer<String> log) throws RunnerException {
        JsonNode answer = null;
        for (String line : outcome.output()) {
            if (line.startsWith(MARKER)) {
                try {
                    answer = JSON.readTree(line.substring(MARKER.length()));
                } catch (IOException e) {
                    answer = null;
                }
            } else if (log != null && !line.isBlank()) {
                log.accept(line);
            }
        }
        String from = Revisions.describe(current);
        if (answer == null) {
            String error = AlembicOutput.error(outcome.output()).orElse("no output");
            throw new RunnerException(ExitCode.MIGRATION_FAILED, tools.python() + " could not read the Alembic revision"
                    + " graph (exit " + outcome.exitCode() + "): " + error);
        }
        if (answer.hasNonNull("error")) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "Alembic cannot go from " + from + " to target '"
                    + target + "': " + Truncation.truncate(answer.get("error").asText(), AlembicOutput.MAX_ERROR_LENGTH));
        }
        List<String> revisions = new ArrayList<>();
        answer.path("revisions").forEach(r -> revisions.add(r.asText()));
        Direction direction = switch (answer.path("direction").asText()) {
            case "up" -> Direction.UPGRADE;
            case "down" -> Direction.DOWNGRADE;
            case "none" -> Direction.NONE;
            default -> throw new RunnerException(ExitCode.UNEXPECTED, "the revision graph script answered "
                    + Truncation.truncate(answer.toString(), 200));
        };
        return new Classification(direction, revisions);
    }
}
