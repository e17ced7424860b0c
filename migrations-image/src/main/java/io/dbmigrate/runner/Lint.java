package io.dbmigrate.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * squawk on a plan's SQL: which statements take which locks, rewrite or scan a table. Each finding is mapped to the
 * revision whose SQL holds it (Alembic writes {@code -- Running upgrade A -> B} before each). A squawk that is missing
 * or fails is reported as such, never as no findings.
 */
final class Lint {

    /**
     * Rules whose advice dbmigrate already follows, or that judge type choices rather than this migration's locks:
     * lock_timeout and statement_timeout are set for the migration's session (PGOPTIONS, spec.safety), which squawk
     * cannot see in the SQL; Alembic runs the revisions in a transaction and records each, so a statement need not be
     * rerunnable; the prefer-* type rules fire on Alembic's own alembic_version (VARCHAR(32)) too.
     */
    static final List<String> EXCLUDED = List.of("require-lock-timeout", "require-statement-timeout",
            "prefer-robust-stmts", "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity",
            "prefer-text-field");

    /**
     * Errors: the statement holds a lock that blocks the application for as long as a scan, a rewrite or an index
     * build takes, or it fails on a table that has rows (a NOT NULL column without a default) or in the migration's
     * transaction. Every other rule is a warning: a compatibility hazard (a dropped or renamed column) or a lock taken
     * only briefly, which lock_timeout bounds.
     */
    static final Set<String> ERROR_RULES = Set.of("require-concurrent-index-creation", "constraint-missing-not-valid",
            "adding-required-field",
            "adding-foreign-key-constraint", "adding-not-nullable-field", "adding-field-with-default",
            "changing-column-type", "adding-serial-primary-key-field", "disallowed-unique-constraint",
            "ban-concurrent-index-creation-in-transaction");

    static final int MESSAGE_CHARS = 240;
    static final int STATEMENT_CHARS = 120;

    private static final Pattern REVISION = Pattern.compile("^-- Running (upgrade|downgrade) (.*?) -> (.*?)\\s*$");
    private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String squawk;
    private final Map<String, String> environment;

    Lint(String squawk, Map<String, String> environment) {
        this.squawk = squawk;
        this.environment = environment;
    }

    /**
     * @param sql       the plan's SQL (Alembic's offline output)
     * @param pgVersion the server's version (e.g. 15.4), so that rules judge what that server does (a constant default
     *                  rewrites nothing since 11)
     * @param ignore    rules whose findings are dropped (spec.safety.lint.ignore); dropped here, not with squawk's
     *                  --exclude, which fails on a rule name it does not know
     * @param log       one line per finding, so that the Job's log has them all however many fit its result
     */
    LintReport run(String sql, String pgVersion, List<String> ignore, Consumer<String> log) throws RunnerException {
        String version = version();
        if (version == null) {
            return LintReport.unavailable(null, "squawk cannot run: " + squawk + " (DBMIGRATE_SQUAWK) not found or"
                    + " not executable");
        }
        Path file = null;
        try {
            file = Files.createTempFile("dbmigrate-plan", ".sql");
            Files.writeString(file, sql, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(squawk, "--reporter", "json", "--no-assume-in-transaction"));
            if (pgVersion != null && VERSION.matcher(pgVersion).matches()) {
                command.add("--pg-version=" + pgVersion);
            }
            command.add("--exclude=" + String.join(",", EXCLUDED));
            command.add(file.toString());
            ExternalProcess.SeparateOutcome outcome = exec(command);
            if (outcome == null) {
                return LintReport.unavailable(version, "squawk cannot run: " + squawk + " (DBMIGRATE_SQUAWK) did not"
                        + " start");
            }
            return report(version, sql, outcome, Set.copyOf(ignore), log);
        } catch (IOException e) {
            return LintReport.unavailable(version, "cannot write the SQL for squawk: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a temporary file left behind in the Job's /tmp
                }
            }
        }
    }

    // squawk exits 0 without findings and 1 with findings (JSON on stdout either way); anything else is a failure.
    static LintReport report(String version, String sql, ExternalProcess.SeparateOutcome outcome,
                             Set<String> ignore, Consumer<String> log) {
        JsonNode parsed = null;
        if (outcome.exitCode() == 0 || outcome.exitCode() == 1) {
            try {
                parsed = JSON.readTree(outcome.stdout());
            } catch (IOException e) {
                parsed = null;
            }
        }
        if (parsed == null || !parsed.isArray()) {
            String stderr = String.join(" ", outcome.stderr()).strip();
            return LintReport.unavailable(version, Truncation.truncate("squawk exited with " + outcome.exitCode()
                    + (stderr.isEmpty() ? "" : ": " + stderr), MESSAGE_CHARS));
        }
        List<LintFinding> findings = findings(sql, parsed).stream().filter(f -> !ignore.contains(f.rule())).toList();
        for (LintFinding f : findings) {
            log.accept("lint: " + f.severity() + " " + f.rule() + " revision=" + f.revision() + " line=" + f.line()
                    + ": " + f.statement() + " -- " + f.message());
        }
        // All findings are known here: the errors are counted before a termination message cuts the list.
        return LintReport.of(version, findings);
    }

    static List<LintFinding> findings(String sql, JsonNode squawkJson) {
        String[] lines = sql.split("\n", -1);
        String[] revisionOfLine = revisions(lines);
        List<LintFinding> findings = new ArrayList<>();
        for (JsonNode f : squawkJson) {
            int line = f.path("line").asInt(0);
            int lineEnd = Math.max(line, f.path("line_end").asInt(line));
            String rule = f.path("rule_name").asText("unknown");
            String level = f.path("level").asText("");
            String severity = "Error".equalsIgnoreCase(level) || ERROR_RULES.contains(rule)
                    ? LintFinding.ERROR : LintFinding.WARNING;
            String message = f.path("message").asText("");
            String help = f.path("help").isTextual() ? f.path("help").asText() : "";
            if (!help.isEmpty()) {
                message = message + " " + help;
            }
            StringBuilder statement = new StringBuilder();
            for (int i = line; i <= lineEnd && i < lines.length && statement.length() <= STATEMENT_CHARS; i++) {
                statement.append(lines[i].strip()).append(' ');
            }
            String revision = line < revisionOfLine.length ? revisionOfLine[line] : null;
            findings.add(new LintFinding(rule, revision, severity, Truncation.truncate(message, MESSAGE_CHARS),
                    Truncation.truncate(statement.toString().replaceAll("\\s+", " ").strip(), STATEMENT_CHARS),
                    line + 1));
        }
        return List.copyOf(findings);
    }

    /** For each line, the revision whose SQL it is: the target of an upgrade, the revision a downgrade undoes. */
    static String[] revisions(String[] lines) {
        String[] of = new String[lines.length];
        String current = null;
        for (int i = 0; i < lines.length; i++) {
            Matcher m = REVISION.matcher(lines[i]);
            if (m.matches()) {
                current = ("upgrade".equals(m.group(1)) ? m.group(3) : m.group(2)).strip();
            }
            of[i] = current;
        }
        return of;
    }

    /** "squawk 2.66.0", or null when it does not start. */
    private String version() throws RunnerException {
        ExternalProcess.SeparateOutcome outcome = exec(List.of(squawk, "--version"));
        return outcome != null && outcome.exitCode() == 0 && !outcome.stdout().isBlank() ? outcome.stdout().strip()
                : null;
    }

    /** The outcome, or null when squawk cannot be started; an interrupt stops the runner as anywhere else. */
    private ExternalProcess.SeparateOutcome exec(List<String> command) throws RunnerException {
        try {
            return ExternalProcess.supervise("running squawk", e -> new RunnerException(ExitCode.UNEXPECTED,
                    e.getMessage(), e), () -> ExternalProcess.runSeparately(command, null, environment, null));
        } catch (RunnerException e) {
            if (e.getCause() instanceof IOException) {
                return null;
            }
            throw e;
        }
    }
}
