package io.dbmigrate.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
     * @param argument  what to give {@code alembic upgrade|downgrade}: the target itself, or, for a downgrade Alembic
     *                  refuses in that form on a branched graph, an equivalent {@code REV@-N} or {@code BRANCH@-N}
     * @param expected  for a downgrade, the rows alembic_version must hold afterwards (empty: base); else empty
     * @param extraRows for a downgrade, ancestors of {@code expected} that Alembic before 1.13.1 writes beside them
     *                  (sqlalchemy/alembic#1373); they say nothing the expected rows do not
     */
    public record Classification(Direction direction, List<String> revisions, String argument,
                                 List<String> expected, List<String> extraRows) {
        public Classification {
            revisions = List.copyOf(revisions);
            expected = expected.stream().sorted().toList();
            extraRows = extraRows.stream().sorted().toList();
        }

        /** Whether alembic_version holds exactly the expected rows. */
        public boolean landedAt(List<String> rows) {
            return rows.stream().sorted().toList().equals(expected);
        }

        /**
         * The rows to delete so that alembic_version holds exactly the expected ones: the extra rows, when the table
         * holds the expected rows and those (an env.py may already have deleted them); empty otherwise.
         */
        public List<String> strayRows(List<String> rows) {
            if (extraRows.isEmpty() || landedAt(rows)) {
                return List.of();
            }
            Set<String> withExtra = new TreeSet<>(expected);
            withExtra.addAll(extraRows);
            return new TreeSet<>(rows).equals(withExtra) && rows.size() == withExtra.size() ? extraRows : List.of();
        }
    }

    private RevisionGraph() {
    }

    /**
     * @param current the database's revisions (empty at base)
     * @param log     sees what the script printed besides its answer (warnings of migration scripts on import)
     * @throws RunnerException BAD_INPUT as {@link #checkTarget} when the target is not in the scripts;
     *                         MIGRATION_FAILED with Alembic's message when the current revision is not in the scripts,
     *                         or the scripts cannot be loaded, or when no single {@code alembic downgrade} argument
     *                         reaches the target on a branched graph
     */
    public static Classification classify(Tools tools, Path migrationsDir, String target, List<String> current,
                                          Consumer<String> log) throws RunnerException {
        return ask(tools, migrationsDir, "classify", target, current, log);
    }

    /**
     * Whether {@code target} names revisions the scripts have, before anything is done with the database: every
     * revision, symbol and branch label in it resolves as Alembic resolves them (a relative step is checked for what
     * it starts from; how far it goes depends on the database).
     *
     * @throws RunnerException BAD_INPUT naming the target and the scripts' heads when it does not; MIGRATION_FAILED
     *                         when the scripts cannot be loaded
     */
    public static void checkTarget(Tools tools, Path migrationsDir, String target, Consumer<String> log)
            throws RunnerException {
        JsonNode answer = answer(run(tools, migrationsDir, "resolve", target, List.of()), tools, log);
        if (answer.path("unknownTarget").asBoolean()) {
            throw unknownTarget(migrationsDir, target, answer);
        }
        if (answer.hasNonNull("error")) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "cannot read the revisions in " + migrationsDir + ": "
                    + Truncation.truncate(answer.get("error").asText(), AlembicOutput.MAX_ERROR_LENGTH));
        }
    }

    // Bad input, not a failed migration: the spec names a revision the image does not have, and nothing ran.
    private static RunnerException unknownTarget(Path migrationsDir, String target, JsonNode answer) {
        List<String> heads = strings(answer.path("heads"));
        return new RunnerException(ExitCode.BAD_INPUT, "target revision '" + target + "' is not in the migrations"
                + (migrationsDir == null ? "" : " in " + migrationsDir) + ": " + Truncation.truncate(answer.path("error").asText(), AlembicOutput.MAX_ERROR_LENGTH)
                + " (their head" + (heads.size() == 1 ? " is " : "s are ")
                + (heads.isEmpty() ? "none" : String.join(", ", heads)) + ")");
    }

    /**
     * How to take the database from {@code current} back to exactly {@code wanted} (the rows a run started from): an
     * upgrade (undoing a downgrade), or a downgrade undoing exactly the revisions not in {@code wanted}'s history.
     *
     * @throws RunnerException MIGRATION_FAILED when one alembic upgrade or downgrade cannot do that
     */
    public static Classification restore(Tools tools, Path migrationsDir, List<String> wanted, List<String> current,
                                         Consumer<String> log) throws RunnerException {
        return ask(tools, migrationsDir, "restore", Revisions.describe(wanted), current, log);
    }

    /**
     * Whether stamping {@code revisions} would add nothing to the history of the rows {@code current}: every one of
     * them is one of the rows or an ancestor of one ({@code stamp --adopt} of a database already past its baseline).
     * Rows the scripts do not have include nothing; they are not an error.
     *
     * @param revisions what {@code alembic stamp} is given
     * @throws RunnerException MIGRATION_FAILED with Alembic's message when {@code alembic stamp} would refuse the
     *                         revisions (unknown, several heads for {@code head}) or the scripts cannot be loaded
     */
    public static Inclusion includes(Tools tools, Path migrationsDir, List<String> revisions, List<String> current,
                                     Consumer<String> log) throws RunnerException {
        String target = String.join(",", revisions);
        JsonNode answer = answer(run(tools, migrationsDir, "includes", target, current), tools, log);
        if (answer.hasNonNull("error")) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED,
                    Truncation.truncate(answer.get("error").asText(), AlembicOutput.MAX_ERROR_LENGTH));
        }
        if (!answer.path("included").isBoolean()) {
            throw new RunnerException(ExitCode.UNEXPECTED, "the revision graph script answered "
                    + Truncation.truncate(answer.toString(), 200));
        }
        return new Inclusion(answer.get("included").asBoolean(), strings(answer.path("expect")),
                strings(answer.path("unknownRows")));
    }

    /**
     * @param included    every revision asked for is in the history of the current rows
     * @param expected    the rows {@code alembic stamp --purge} of the revisions leaves, sorted (empty: base)
     * @param unknownRows current rows that name no revision of the scripts
     */
    public record Inclusion(boolean included, List<String> expected, List<String> unknownRows) {
        public Inclusion {
            expected = expected.stream().sorted().toList();
            unknownRows = List.copyOf(unknownRows);
        }
    }

    /**
     * What a run did, read from the revision graph between the rows before and after it, whatever Alembic logged (its
     * logger may be at WARN): under transaction_per_migration a failed run keeps the revisions before the failing one.
     *
     * @param failed the revision that failed (named by Alembic's log or traceback), or null
     * @throws RunnerException MIGRATION_FAILED when a row names no revision of the scripts
     */
    public static Between between(Tools tools, Path migrationsDir, List<String> before, List<String> after,
                                  String failed, Consumer<String> log) throws RunnerException {
        List<String> arguments = new ArrayList<>();
        arguments.add(failed == null ? "-" : failed);
        arguments.addAll(after);
        JsonNode answer = answer(run(tools, migrationsDir, "between", Revisions.describe(before), arguments), tools,
                log);
        if (answer.hasNonNull("error")) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "cannot tell what went from " + Revisions.describe(
                    before) + " to " + Revisions.describe(after) + ": "
                    + Truncation.truncate(answer.get("error").asText(), AlembicOutput.MAX_ERROR_LENGTH));
        }
        return new Between(strings(answer.path("applied")), strings(answer.path("undone")),
                answer.path("nonTransactional").asBoolean(false));
    }

    /**
     * @param applied          revisions in the history after the run and not before, in the order they apply
     * @param undone           revisions in the history before and not after, in the order they are undone
     * @param nonTransactional the failed revision's script uses {@code autocommit_block}: what it ran there was
     *                         committed on its own and is not rolled back with the failure
     */
    public record Between(List<String> applied, List<String> undone, boolean nonTransactional) {
        public Between {
            applied = List.copyOf(applied);
            undone = List.copyOf(undone);
        }
    }

    private static Classification ask(Tools tools, Path migrationsDir, String mode, String target,
                                      List<String> current, Consumer<String> log) throws RunnerException {
        return interpret(run(tools, migrationsDir, mode, target, current), tools, target, current, log);
    }

    private static ExternalProcess.Outcome run(Tools tools, Path migrationsDir, String mode, String target,
                                               List<String> current) throws RunnerException {
        List<String> arguments = new ArrayList<>(List.of(mode, target));
        arguments.addAll(current);
        ScriptAnswers.Question question = () -> ExternalProcess.supervise("reading the Alembic revision graph",
                e -> new RunnerException(ExitCode.MIGRATION_FAILED, "cannot run " + tools.python()
                        + " (DBMIGRATE_PYTHON) to read the Alembic revision graph: " + e.getMessage(), e),
                () -> PythonScript.run(tools.python(), SCRIPT_RESOURCE, arguments, migrationsDir,
                        Map.of("PYTHONDONTWRITEBYTECODE", "1"), null));
        if (migrationsDir == null) {
            return question.ask();
        }
        // The answer depends on the scripts and the arguments only: asked again for another target, it is kept.
        return ScriptAnswers.answer(tools.python(), migrationsDir, arguments, question);
    }

    static Classification interpret(ExternalProcess.Outcome outcome, Tools tools, String target, List<String> current,
                                    Consumer<String> log) throws RunnerException {
        JsonNode answer = answer(outcome, tools, log);
        String from = Revisions.describe(current);
        if (answer.path("unknownTarget").asBoolean()) {
            throw unknownTarget(null, target, answer);
        }
        if (answer.hasNonNull("error")) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "Alembic cannot go from " + from + " to target '"
                    + target + "': " + Truncation.truncate(answer.get("error").asText(), AlembicOutput.MAX_ERROR_LENGTH));
        }
        List<String> revisions = strings(answer.path("revisions"));
        Direction direction = switch (answer.path("direction").asText()) {
            case "up" -> Direction.UPGRADE;
            case "down" -> Direction.DOWNGRADE;
            case "none" -> Direction.NONE;
            default -> throw new RunnerException(ExitCode.UNEXPECTED, "the revision graph script answered "
                    + Truncation.truncate(answer.toString(), 200));
        };
        String argument = answer.hasNonNull("argument") ? answer.get("argument").asText() : target;
        return new Classification(direction, revisions, argument, strings(answer.path("expect")),
                strings(answer.path("extraRows")));
    }

    /** The script's answer line; whatever else it printed goes to {@code log}. */
    private static JsonNode answer(ExternalProcess.Outcome outcome, Tools tools, Consumer<String> log)
            throws RunnerException {
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
        if (answer == null) {
            String error = AlembicOutput.error(outcome.output()).orElse("no output");
            throw new RunnerException(ExitCode.MIGRATION_FAILED, tools.python() + " could not read the Alembic revision"
                    + " graph (exit " + outcome.exitCode() + "): " + error);
        }
        return answer;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
