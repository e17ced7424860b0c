package io.dbmigrate.contract;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Set alembic_version without running a migration.
 *
 * @param revision the revision(s) to stamp, as {@code alembic stamp} takes them (comma-separated for several heads)
 * @param adopt    spec.baseline: stamp only a database whose alembic_version is absent or empty; one already at the
 *                 revision or past it is left as it is; any other is refused ({@link ExitCode#BASELINE_REFUSED})
 */
public record StampRequest(Path migrationsDir, String revision, boolean adopt) {

    public void validate() throws RunnerException {
        revisions();
        if (migrationsDir == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the migrations directory is required");
        }
    }

    /** {@link #revisions(String)} naming the field "revision". */
    public List<String> revisions() throws RunnerException {
        return revisions("revision");
    }

    /**
     * The revisions, one {@code alembic stamp} argument each, in the order given. Each is a revision id as
     * alembic_version holds it or a {@link RevisionSpec} ({@code head}, {@code expand@head}); {@code base} only on its
     * own. Like those, nothing an argument parser or a shell could act on (no leading {@code -}), and bounded: at most
     * {@value Revisions#MAX_REVISIONS} of at most {@value RevisionSpec#MAX_LENGTH} characters. BAD_INPUT naming
     * {@code field} otherwise; whether Alembic knows them is Alembic's to say.
     */
    public List<String> revisions(String field) throws RunnerException {
        String examples = " (an Alembic revision such as ae1027a6acf or head, or several heads joined with ','"
                + " as ae1027a6acf,bc2345def678)";
        if (revision == null || revision.isEmpty()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " is required" + examples);
        }
        String[] parts = revision.split(",", -1);
        if (parts.length > Revisions.MAX_REVISIONS) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " names " + parts.length + " revisions, at most "
                    + Revisions.MAX_REVISIONS + " are accepted");
        }
        String shown = Truncation.truncate(RevisionSpec.printable(revision), 200);
        Set<String> seen = new HashSet<>();
        for (String part : parts) {
            if (!Revisions.isId(part) && !RevisionSpec.isSpec(part)) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + shown
                        + "' is not an Alembic revision or a list of them" + examples);
            }
            if (part.equals(Revisions.BASE) && parts.length > 1) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + shown
                        + "': base means no revision and cannot stand beside one");
            }
            if (!seen.add(part)) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " names revision " + part + " twice");
            }
        }
        return List.of(parts);
    }
}
