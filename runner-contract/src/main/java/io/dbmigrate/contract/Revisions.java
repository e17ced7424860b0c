package io.dbmigrate.contract;

import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** How the Alembic revision(s) a database is at are written in options and results: ids joined with ",", or base. */
public final class Revisions {

    /** How a database without any revision is shown in results. */
    public static final String BASE = "base";

    /**
     * A revision id as it can stand in alembic_version: letters, digits, {@code _}, and {@code -} or {@code .} after
     * the first character (never a leading {@code -}, which an argument parser would take for an option).
     */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    /** More heads than anyone merges by hand; keeps an argument and its messages bounded. */
    static final int MAX_REVISIONS = 64;

    private Revisions() {
    }

    /**
     * The inverse of {@link #describe}: {@value #BASE} is no revision, otherwise revision ids joined with ",". Sorted,
     * so two descriptions of the same revisions compare equal whatever their order. BAD_INPUT naming the field when
     * the value is anything else (empty parts, duplicates, {@value #BASE} beside a revision, characters no revision id
     * has).
     */
    public static List<String> parse(String field, String described) throws RunnerException {
        String example = " (the revision(s) as a plan's fromRevision shows them: base, ae1027a6acf or two heads"
                + " as ae1027a6acf,bc2345def678)";
        if (described == null || described.isEmpty()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " is required" + example);
        }
        if (described.equals(BASE)) {
            return List.of();
        }
        String[] parts = described.split(",", -1);
        if (parts.length > MAX_REVISIONS) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " names " + parts.length
                    + " revisions, at most " + MAX_REVISIONS + " are accepted");
        }
        TreeSet<String> revisions = new TreeSet<>();
        String shown = Truncation.truncate(RevisionSpec.printable(described), 200);
        for (String part : parts) {
            if (part.equals(BASE)) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + shown
                        + "': base means no revision and cannot stand beside one" + example);
            }
            if (!ID.matcher(part).matches()) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + shown
                        + "' is not a list of revision ids" + example);
            }
            if (!revisions.add(part)) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " names revision " + part + " twice");
            }
        }
        return List.copyOf(revisions);
    }

    /** Whether {@code value} can be a revision id as alembic_version holds it (see {@link #parse}). */
    static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** Whether the database's revisions are exactly these, in any order. */
    public static boolean same(List<String> current, List<String> expected) {
        return new TreeSet<>(current).equals(new TreeSet<>(expected)) && current.size() == expected.size();
    }

    /** The revisions joined with ",", or {@value #BASE} when there are none. */
    public static String describe(List<String> revisions) {
        return revisions.isEmpty() ? BASE : String.join(",", revisions);
    }
}
