package io.dbmigrate.runner;

import io.dbmigrate.contract.Truncation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code alembic upgrade} and {@code alembic downgrade} printed. Pure: lines in, facts out.
 *
 * <p>With Alembic's logger at INFO (the template's alembic.ini does that) each step is logged before it runs:
 * <pre>INFO  [alembic.runtime.migration] Running upgrade 0001_init -> 0002_email, add email</pre>
 * The "from" side lists several revisions for a merge ({@code a1, b2 -> m3}); an upgrade step always has a single
 * "to" (Alembic runs one revision per step), and everything after the first ", " is the revision's message, which
 * may itself contain commas. A downgrade step is logged the other way round, and undoes exactly the one revision on
 * its left: <pre>INFO  [alembic.runtime.migration] Running downgrade 0002_email -> 0001_init, add email</pre>
 * (to base: {@code Running downgrade 0001_init -> , create customers}). Without logging the only trace of the failing revision is the Python traceback frame of
 * its {@code upgrade()} function.
 */
public final class AlembicOutput {

    /** Alembic writes more than this only for tracebacks; a condition message must stay readable. */
    public static final int MAX_ERROR_LENGTH = 500;

    /** One step as logged: {@code Running upgrade <from> -> <to>, <message>}. */
    public record Step(List<String> from, String to, String message) {
    }

    private static final Pattern RUNNING_UPGRADE =
            Pattern.compile("Running upgrade (.*?) -> ([A-Za-z0-9_]+)(?:, (.*))?$");
    private static final Pattern RUNNING_DOWNGRADE = Pattern.compile("Running downgrade ([A-Za-z0-9_]+) -> ");
    private static final Pattern MIGRATION_FRAME =
            Pattern.compile("^\\s*File \"(.*[/\\\\]versions[/\\\\][^/\\\\\"]+\\.py)\", line [0-9]+, in (upgrade|downgrade)\\s*$");
    // `revision = 'abc'` and the typed form of newer templates, `revision: str = "abc"`.
    private static final Pattern REVISION_ASSIGNMENT = Pattern.compile(
            "^revision\\s*(?::[^=\\n]+)?=\\s*['\"]([^'\"\\n]+)['\"]", Pattern.MULTILINE);
    private static final String TRACEBACK = "Traceback (most recent call last):";

    private AlembicOutput() {
    }

    public static List<Step> steps(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        for (String line : lines) {
            Matcher m = RUNNING_UPGRADE.matcher(line.stripTrailing());
            if (m.find()) {
                String from = m.group(1).strip();
                List<String> fromList = from.isEmpty() ? List.of() : Arrays.stream(from.split(",\\s*")).toList();
                steps.add(new Step(fromList, m.group(2), m.group(3) == null ? "" : m.group(3)));
            }
        }
        return List.copyOf(steps);
    }

    /** The revisions Alembic started, in order. */
    public static List<String> appliedRevisions(List<String> lines) {
        return steps(lines).stream().map(Step::to).toList();
    }

    /** The revision of the last step Alembic started: after a failure, the one that failed. */
    public static Optional<String> lastStartedRevision(List<String> lines) {
        List<Step> steps = steps(lines);
        return steps.isEmpty() ? Optional.empty() : Optional.of(steps.get(steps.size() - 1).to());
    }

    /** The revisions a downgrade started to undo, in order: the left side of each {@code Running downgrade} line. */
    public static List<String> undoneRevisions(List<String> lines) {
        List<String> undone = new ArrayList<>();
        for (String line : lines) {
            Matcher m = RUNNING_DOWNGRADE.matcher(line);
            if (m.find()) {
                undone.add(m.group(1));
            }
        }
        return List.copyOf(undone);
    }

    /** The revision of the last downgrade step Alembic started: after a failure, the one whose downgrade failed. */
    public static Optional<String> lastUndoneRevision(List<String> lines) {
        List<String> undone = undoneRevisions(lines);
        return undone.isEmpty() ? Optional.empty() : Optional.of(undone.get(undone.size() - 1));
    }

    /** The file of the innermost {@code .../versions/<file>.py", line N, in upgrade} frame, as printed. */
    public static Optional<String> failingScript(List<String> lines) {
        return failingScript(lines, "upgrade");
    }

    /** The file of the innermost frame of a migration script's {@code function} (upgrade or downgrade). */
    public static Optional<String> failingScript(List<String> lines, String function) {
        String found = null;
        for (String line : lines) {
            Matcher m = MIGRATION_FRAME.matcher(line);
            if (m.matches() && m.group(2).equals(function)) {
                found = m.group(1);
            }
        }
        return Optional.ofNullable(found);
    }

    /** The {@code revision = '...'} a migration script declares. */
    public static Optional<String> revisionDeclaredIn(String pythonSource) {
        Matcher m = REVISION_ASSIGNMENT.matcher(pythonSource);
        return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
    }

    /**
     * The error in one line: the exception line of the last traceback (Python prints the one that ended the program
     * last, after "The above exception was the direct cause..."), else Alembic's own {@code FAILED: ...} line, else
     * the last line printed. At most {@value #MAX_ERROR_LENGTH} characters.
     */
    public static Optional<String> error(List<String> lines) {
        int traceback = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(TRACEBACK)) {
                traceback = i;
            }
        }
        if (traceback >= 0) {
            for (int i = traceback + 1; i < lines.size(); i++) {
                String line = lines.get(i);
                // Frames, source lines and 3.11's ^^^ markers are indented; the exception line is not.
                if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                    return Optional.of(Truncation.truncate(line.strip(), MAX_ERROR_LENGTH));
                }
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (line.startsWith("FAILED:")) {
                return Optional.of(Truncation.truncate(line, MAX_ERROR_LENGTH));
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return Optional.of(Truncation.truncate(lines.get(i).strip(), MAX_ERROR_LENGTH));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the error is PostgreSQL's {@code lock_timeout} firing (SQLSTATE 55P03): the migration could not get a
     * table lock in time because the application held it. That is transient, unlike a broken migration.
     */
    public static boolean isLockTimeout(String error) {
        return error != null && (error.contains("LockNotAvailable")
                || error.contains("canceling statement due to lock timeout"));
    }

    /**
     * Whether the error is PostgreSQL's {@code statement_timeout} firing (SQLSTATE 57014, psycopg2's QueryCanceled):
     * a statement of the migration ran longer than allowed. Not transient: the same statement takes as long again.
     */
    public static boolean isStatementTimeout(String error) {
        return error != null && error.contains("canceling statement due to statement timeout");
    }
}
