package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockProfile;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A step's dress rehearsal: its backup restored into a scratch database on the rehearsal server, the step's upgrade
 * run there with the same target, safety settings and verification queries, optionally a round trip (back down to
 * where the copy started and up again), and the copy dropped whatever happened. Production is never connected to:
 * only the maintenance database (for CREATE and DROP DATABASE) and the copy are.
 *
 * <p>Failures of the migration itself (a revision that raises, a verification that does not hold, a downgrade that
 * cannot run) are {@link ExitCode#REHEARSAL_FAILED}. Failures that say nothing about the migration keep their own
 * exit code, so the operator retries what can be retried (the server unreachable, {@link ExitCode#CONNECTION_FAILED};
 * a bug, {@link ExitCode#UNEXPECTED}) and reports the rest as what it is: {@link ExitCode#PLAN_OUTDATED}, not retried
 * (the copy is the database as it was a moment ago: it moved since the plan was approved). Either way the exception
 * carries the {@link RehearsalResult}.
 */
public final class Rehearsal {

    /** Every scratch database's name starts with this, then the key of the database rehearsed. */
    static final String PREFIX = "dbmigrate_rehearsal_";
    /** failureReason of the restore phase: no archive, no CREATEDB, pg_restore failed. */
    static final String RESTORE_FAILED = "RestoreFailed";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(ZoneOffset.UTC);
    private static final int MAX_IDENTIFIER_BYTES = 63;
    private static final int MAX_NAME_TRIES = 20;
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final ConnectionSettings settings;
    private final Tools tools;
    private final RehearsalRequest request;
    private final UpgradeRequest upgrade;
    private final Clock clock;
    private final PrintStream log;
    private final Instant startedAt;

    // What the rehearsal got to; the result is built from it whenever it ends.
    private String archive;
    private String scratch;
    private String fromRevision;
    private String toRevision;
    private List<String> applied = List.of();
    private List<String> verified = List.of();
    private Long upgradeMillis;
    private String phase = RehearsalResult.RESTORE;
    private String failedRevision;
    private String failureReason;
    private String error;
    private boolean dropped = true; // nothing left behind until a scratch database exists
    private LockProfile lockProfile;

    private Rehearsal(ConnectionSettings settings, Tools tools, RehearsalRequest request, Clock clock,
                      PrintStream log) {
        this.settings = settings;
        this.tools = tools;
        this.request = request;
        // The copy is thrown away: nothing to take back after a failure, and no window to respect.
        this.upgrade = request.upgrade().withOnFailure(OnFailure.HALT).withinWindow(null, null);
        this.clock = clock;
        this.log = log;
        this.startedAt = now(clock);
    }

    /**
     * @param settings the rehearsal server; its database is only the maintenance database CREATE and DROP DATABASE
     *                 are run from
     * @return the result of a rehearsal that passed
     * @throws RunnerException with {@link RunnerException#rehearsalResult()} when it failed (see the class comment)
     */
    public static RehearsalResult run(ConnectionSettings settings, Tools tools, RehearsalRequest request, Clock clock,
                                      PrintStream log) throws RunnerException {
        request.validate();
        AlembicRun.migrationsDirectory(request.upgrade().migrationsDir()); // bad input before anything is created
        return new Rehearsal(settings, tools, request, clock, log).rehearse();
    }

    private RehearsalResult rehearse() throws RunnerException {
        RunnerException failure = null;
        try {
            Path file = findArchive();
            archive = file.toString();
            String key = key(request.name(), metadata(file));
            scratch = createScratchDatabase(key);
            dropped = false;
            restore(file);
            ConnectionSettings copy = settings.withDatabase(scratch);
            List<String> from = revisions(copy);
            fromRevision = Revisions.describe(from);
            toRevision = fromRevision;

            phase = RehearsalResult.UPGRADE;
            upgradeCopy(copy);
            if (request.roundTrip()) {
                roundTrip(copy, from);
            }
        } catch (RunnerException e) {
            failure = e;
            if (failedRevision == null) { // the lock budget names the revision that held the lock
                failedRevision = e.upgradeResult().map(UpgradeResult::failedRevision).orElse(null);
            }
            if (failureReason == null) { // the lock budget's reasons are set where it is checked
                failureReason = e.exitCode() == ExitCode.REHEARSAL_FAILED ? RESTORE_FAILED : e.exitCode().reason();
            }
            error = aboutTheCopy(e.getMessage());
        } finally {
            if (scratch != null) {
                dropped = drop(scratch);
            }
        }
        if (failure == null) {
            RehearsalResult passed = result(true);
            log.println(KeyValueLog.line("info", "rehearsal passed", "scratchDatabase", scratch, "from", fromRevision,
                    "to", toRevision, "applied", String.join(",", applied), "upgradeMillis", upgradeMillis,
                    "roundTrip", request.roundTrip(), "dropped", dropped));
            return passed;
        }
        RehearsalResult failed = result(false);
        throw new RunnerException(exitCode(failure.exitCode()), message(failure), failed);
    }

    /**
     * A rehearsal failure is one of the migration's: running it again fails the same way. What says nothing about
     * the migration keeps its own code (and retryability).
     */
    private static ExitCode exitCode(ExitCode cause) {
        return switch (cause) {
            case MIGRATION_FAILED, LOCK_TIMEOUT, VERIFICATION_FAILED, DOWNGRADE_NOT_ALLOWED, REHEARSAL_FAILED ->
                    ExitCode.REHEARSAL_FAILED;
            default -> cause;
        };
    }

    // Upgrade's words are about "the database": here that is the copy, and on-call must not read it as production.
    private static String aboutTheCopy(String message) {
        return message == null ? "" : message.replace("the database is still at", "the copy is still at")
                .replace("the database is at", "the copy is at");
    }

    private String message(RunnerException failure) {
        String upgrade = aboutTheCopy(failure.getMessage());
        String what = switch (phase) {
            case RehearsalResult.DOWNGRADE -> "the round trip's way back: " + upgrade;
            case RehearsalResult.UPGRADE_AGAIN -> "the round trip's second upgrade, after the downgrade back to "
                    + fromRevision + ": " + upgrade;
            default -> upgrade;
        };
        String leftover = dropped ? "" : "; the scratch database " + scratch + " could not be dropped (the next"
                + " rehearsal drops it)";
        if (exitCode(failure.exitCode()) == ExitCode.REHEARSAL_FAILED) {
            return "rehearsal on a restored copy failed: " + what + "; production was not touched" + leftover;
        }
        return "rehearsal on a restored copy (" + phase + "): " + what + "; production was not touched" + leftover;
    }

    private RehearsalResult result(boolean passed) {
        return new RehearsalResult(scratch, settings.host() + ":" + settings.port(), archive, fromRevision,
                toRevision, applied, request.roundTrip(), passed, passed ? null : phase, failedRevision,
                failureReason, error, verified, upgradeMillis, startedAt, now(clock), dropped, lockProfile);
    }

    /** The summary line of a rehearsal that passed. */
    static String summary(RehearsalResult r) {
        StringBuilder sb = new StringBuilder("rehearsal on a restored copy passed: ");
        if (r.appliedRevisions().isEmpty() && r.fromRevision().equals(r.toRevision())) {
            sb.append("the copy was at ").append(r.fromRevision()).append(" already");
        } else {
            sb.append("the copy went from ").append(r.fromRevision()).append(" to ").append(r.toRevision());
            if (!r.appliedRevisions().isEmpty()) {
                sb.append(" (applied ").append(String.join(", ", r.appliedRevisions())).append(')');
            }
        }
        if (r.upgradeMillis() != null) {
            sb.append(" in ").append(Durations.format(Duration.ofMillis(r.upgradeMillis())));
        }
        if (!r.verified().isEmpty()) {
            sb.append("; verified ").append(String.join(", ", r.verified()));
        }
        if (r.roundTrip()) {
            sb.append("; round trip back to ").append(r.fromRevision()).append(" and up again passed");
        }
        sb.append(r.dropped() ? "; scratch database dropped" : "; the scratch database " + r.scratchDatabase()
                + " could not be dropped (the next rehearsal drops it)");
        return sb.toString();
    }

    // ---- the archive ----

    private Path findArchive() throws RunnerException {
        if (request.archive() != null) {
            Path given = request.archive().toAbsolutePath().normalize();
            if (!Files.isRegularFile(given)) {
                throw restoreFailed("archive " + given + " does not exist");
            }
            return given;
        }
        Path dir = request.directory().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw restoreFailed("backup directory " + dir + " does not exist (is the backup volume mounted?)");
        }
        Path newest = null;
        Instant newestAt = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String fileName = p.getFileName().toString();
                Optional<Instant> at = BackupFileName.timestampOf(request.name(), request.label(), fileName);
                if (at.isEmpty() || !Files.isRegularFile(p)) {
                    continue; // .partial files never match: they are not archives until renamed
                }
                // By the time in the name, not mtime: copies of the volume do not keep mtimes.
                if (newest == null || at.get().isAfter(newestAt) || (at.get().equals(newestAt)
                        && fileName.compareTo(newest.getFileName().toString()) > 0)) {
                    newest = p;
                    newestAt = at.get();
                }
            }
        } catch (IOException e) {
            throw restoreFailed("cannot list backup directory " + dir + ": " + e.getMessage());
        }
        if (newest == null) {
            throw restoreFailed("no archive of " + request.name() + " labelled " + request.label() + " in " + dir
                    + " (" + request.name() + "_<time>_" + request.label() + BackupFileName.SUFFIX
                    + "; the backup runs before the rehearsal)");
        }
        log.println(KeyValueLog.line("info", "rehearsal: archive found", "archive", newest, "at", newestAt));
        return newest;
    }

    /** The backup's {@code .json} sidecar, when it is there and readable; the rehearsal does without it. */
    private Optional<BackupMetadata> metadata(Path file) {
        try {
            return BackupMetadata.beside(file);
        } catch (IOException | RuntimeException e) {
            log.println(KeyValueLog.line("warn", "rehearsal: cannot read the archive's metadata", "file", file,
                    "error", e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * 8 hex digits of SHA-256 of the resource name and the backed-up database (host and name): a resource's
     * rehearsals share it, so the next one finds the copies a killed one left behind, and nobody else's.
     */
    static String key(String name, Optional<BackupMetadata> metadata) {
        String source = metadata.filter(m -> m.host() != null && m.database() != null)
                .map(m -> name + "/" + m.host() + "/" + m.database()).orElse(name);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    // ---- the scratch database ----

    /** {@code dbmigrate_rehearsal_<key>_<time>}, after dropping what earlier rehearsals of the key left. */
    private String createScratchDatabase(String key) throws RunnerException {
        String prefix = PREFIX + key + "_";
        String base = prefix + STAMP.format(clock.instant());
        try (Connection c = settings.open()) {
            for (String leftover : databasesStartingWith(c, prefix)) {
                log.println(KeyValueLog.line("warn", "rehearsal: dropping a scratch database an earlier rehearsal"
                        + " left behind", "database", leftover));
                try {
                    dropDatabase(c, leftover);
                } catch (SQLException e) {
                    log.println(KeyValueLog.line("warn", "rehearsal: cannot drop the leftover scratch database",
                            "database", leftover, "error", e.getMessage()));
                }
            }
            for (int i = 1; i <= MAX_NAME_TRIES; i++) {
                String name = i == 1 ? base : base + "_" + i;
                if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                    throw new IllegalStateException("scratch database name too long: " + name);
                }
                try (Statement st = c.createStatement()) {
                    // template0, as pg_restore's manual says: whatever was added to template1 (an extension, a
                    // table) would already exist in the copy, and --exit-on-error would stop on it.
                    st.execute("create database " + quote(name) + " template template0");
                    log.println(KeyValueLog.line("info", "rehearsal: scratch database created", "database", name,
                            "server", settings.host() + ":" + settings.port()));
                    return name;
                } catch (SQLException e) {
                    if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                        throw restoreFailed("user '" + settings.user() + "' may not create databases on "
                                + settings.host() + ":" + settings.port() + " (" + e.getMessage() + "): grant it"
                                + " CREATEDB (ALTER ROLE " + quote(settings.user()) + " CREATEDB), or give"
                                + " spec.rehearsal.database, a server where it may");
                    }
                    if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
            throw restoreFailed("no free scratch database name " + base + "_N after " + MAX_NAME_TRIES + " tries");
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "creating a scratch database on " + settings.describe());
        }
    }

    private static List<String> databasesStartingWith(Connection c, String prefix) throws SQLException {
        List<String> names = new ArrayList<>();
        // left(), not LIKE: '_' is a LIKE wildcard, and the prefix is full of them.
        try (PreparedStatement st = c.prepareStatement(
                "select datname from pg_database where left(datname, ?) = ? order by 1")) {
            st.setInt(1, prefix.length());
            st.setString(2, prefix);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** Drops the copy on a fresh maintenance connection (a long rehearsal can outlive the first); false on failure. */
    private boolean drop(String database) {
        try (Connection c = settings.open()) {
            dropDatabase(c, database);
            log.println(KeyValueLog.line("info", "rehearsal: scratch database dropped", "database", database));
            return true;
        } catch (SQLException | RunnerException e) {
            log.println(KeyValueLog.line("warn", "rehearsal: cannot drop the scratch database; the next rehearsal"
                    + " drops it", "database", database, "error", settings.redact(e.getMessage())));
            return false;
        }
    }

    /** Whoever is still connected (a killed Alembic's backend) is disconnected: the copy is ours alone. */
    private static void dropDatabase(Connection c, String database) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (c.getMetaData().getDatabaseMajorVersion() >= 13) {
                st.execute("drop database if exists " + quote(database) + " with (force)");
                return;
            }
            try (PreparedStatement terminate = c.prepareStatement("select pg_terminate_backend(pid)"
                    + " from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
                terminate.setString(1, database);
                terminate.execute();
            }
            st.execute("drop database if exists " + quote(database));
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    // ---- the phases ----

    private void restore(Path file) throws RunnerException {
        ConnectionSettings copy = settings.withDatabase(scratch);
        // Owners and grants are production's roles, which need not exist here; the copy belongs to our user.
        List<String> command = List.of(tools.pgRestore(), "--no-owner", "--no-privileges", "--exit-on-error",
                "--no-password", "-d", scratch, file.toString());
        long start = clock.millis();
        ExternalProcess.Outcome outcome = ExternalProcess.supervise("restoring " + file,
                e -> restoreFailed("cannot run " + tools.pgRestore() + ": " + e.getMessage()),
                () -> ExternalProcess.run(command, null, copy.libpqEnvironment(),
                        line -> log.println("pg_restore: " + settings.redact(line))));
        if (outcome.exitCode() != 0) {
            String message = "restoring " + file.getFileName() + " into " + scratch + " failed (pg_restore exit "
                    + outcome.exitCode() + "): " + settings.redact(Truncation.truncate(outcome.tail(5), 1000));
            // A lost connection says nothing about the archive or the migration: it keeps its own code.
            Optional<ExitCode> connection = ConnectionSettings.classifyClientOutput(outcome.output());
            throw connection.isPresent() ? new RunnerException(connection.get(), message) : restoreFailed(message);
        }
        log.println(KeyValueLog.line("info", "rehearsal: archive restored", "archive", file, "database", scratch,
                "millis", clock.millis() - start));
    }

    private static List<String> revisions(ConnectionSettings copy) throws RunnerException {
        try (Connection c = copy.open()) {
            return AlembicVersion.current(c, copy.versionTable());
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "reading the Alembic revision of " + copy.describe());
        }
    }

    private void upgradeCopy(ConnectionSettings copy) throws RunnerException {
        Duration interval = request.lockSampleIntervalOrDefault();
        LockSampler sampler = interval.isZero() ? null : LockSampler.start(copy, interval, log);
        PrintStream upgradeLog = sampler == null ? log : new RevisionListeningLog(log, sampler::running);
        long start = clock.millis();
        List<LockHold> holds = List.of();
        try {
            UpgradeResult u = Upgrade.run(copy, tools, upgrade, clock, upgradeLog);
            applied = u.appliedRevisions();
            verified = u.verified();
            toRevision = u.toRevision();
        } catch (RunnerException e) {
            e.upgradeResult().ifPresent(u -> {
                applied = u.appliedRevisions();
                verified = u.verified();
                toRevision = u.toRevision() == null ? toRevision : u.toRevision();
            });
            throw e;
        } finally {
            upgradeMillis = clock.millis() - start;
            if (sampler != null) {
                LockSampler.Profile profile = sampler.profile();
                lockProfile = profile.profile();
                holds = profile.allHolds();
            }
        }
        checkLockBudget(holds);
        log.println(KeyValueLog.line("info", "rehearsal: upgrade of the copy passed", "from", fromRevision,
                "to", toRevision, "applied", String.join(",", applied), "millis", upgradeMillis,
                "verified", String.join(",", verified)));
    }

    /**
     * rehearsal.maxLockHold, on the holds of an upgrade that passed: a hold over its mode's budget fails the rehearsal
     * (LockHoldExceeded), and so does a profile that could not be taken while there is a budget to check.
     */
    private void checkLockBudget(List<LockHold> holds) throws RunnerException {
        LockBudget budget = new LockBudget(request.maxLockHold());
        if (budget.isEmpty()) {
            return;
        }
        if (lockProfile == null || lockProfile.unavailable() != null) {
            failureReason = RehearsalResult.LOCK_PROFILE_UNAVAILABLE;
            throw new RunnerException(ExitCode.REHEARSAL_FAILED, "rehearsal.maxLockHold cannot be checked: "
                    + (lockProfile == null ? "no lock profile" : lockProfile.unavailable()));
        }
        Optional<LockHold> over = budget.worstExcess(holds);
        if (over.isPresent()) {
            failureReason = RehearsalResult.LOCK_HOLD_EXCEEDED;
            failedRevision = over.get().revision();
            throw new RunnerException(ExitCode.REHEARSAL_FAILED, "lock budget exceeded: "
                    + budget.describe(over.get()));
        }
    }

    /** Down to exactly where the copy started (the way on-failure downgrade goes), then the same upgrade again. */
    private void roundTrip(ConnectionSettings copy, List<String> from) throws RunnerException {
        if (applied.isEmpty() && fromRevision.equals(toRevision)) {
            log.println(KeyValueLog.line("info", "rehearsal: round trip: the upgrade applied nothing, nothing to"
                    + " undo", "at", toRevision));
            return;
        }
        phase = RehearsalResult.DOWNGRADE;
        try {
            toRevision = Upgrade.downgradeTo(copy, tools, upgrade, from, clock, log).toRevision();
        } catch (RunnerException e) {
            e.upgradeResult().map(UpgradeResult::toRevision).ifPresent(at -> toRevision = at);
            throw e;
        }
        phase = RehearsalResult.UPGRADE_AGAIN;
        try {
            toRevision = Upgrade.run(copy, tools, upgrade, clock, log).toRevision();
        } catch (RunnerException e) {
            e.upgradeResult().map(UpgradeResult::toRevision).ifPresent(at -> toRevision = at);
            throw e;
        }
        log.println(KeyValueLog.line("info", "rehearsal: round trip passed", "from", fromRevision, "to", toRevision));
    }

    private static RunnerException restoreFailed(String message) {
        return new RunnerException(ExitCode.REHEARSAL_FAILED, message);
    }

    // Milliseconds, like the other results.
    private static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
