package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a database: everything here fails (or helps) before connecting, or cannot connect. */
class RunnerMainTest {

    private static final String SECRET = "unit-test-secret-9";

    @TempDir
    Path tmp;

    /** Where rehearse writes (and upgrade reads) the rehearsal; never the default /tmp file in tests. */
    private Path rehearsalFile;

    @org.junit.jupiter.api.BeforeEach
    void rehearsalFile() {
        rehearsalFile = tmp.resolve("rehearsal.json");
    }

    private CommandLineRun run(Map<String, String> extraEnv, String... args) throws IOException {
        Map<String, String> env = new HashMap<>(Map.of("PGHOST", "127.0.0.1", "PGPORT", "1", "PGDATABASE", "crm",
                "PGUSER", "app", "PGPASSWORD", SECRET, "PGSSLMODE", "disable",
                PodFile.REHEARSAL_FILE_VARIABLE, rehearsalFile.toString()));
        extraEnv.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        CommandLineRun r = CommandLineRun.run(tmp, env, args);
        assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET), "a secret was printed");
        return r;
    }

    private CommandLineRun run(String... args) throws IOException {
        return run(Map.of(), args);
    }

    private static void assertInvalidInput(CommandLineRun r, String command, String named) {
        assertEquals(2, r.exit(), r.err());
        assertEquals("InvalidInput", r.result().reason());
        assertEquals(2, r.result().exitCode());
        assertEquals(command, r.result().command());
        assertTrue(r.result().message().contains(named), r.result().message());
        assertTrue(r.out().contains("InvalidInput"), r.out());
        assertTrue(r.err().contains("level=error"), r.err());
    }

    @Test
    void theRehearsalFileIsInTmpdirWhenItIsSetAsAHostProcessesTmpIsShared() {
        assertEquals(Path.of("/tmp/dbmigrate-rehearsal.json"), PodFile.rehearsal(Map.of()).path());
        assertEquals(Path.of("/pods/p1/tmp/dbmigrate-rehearsal.json"),
                PodFile.rehearsal(Map.of("TMPDIR", "/pods/p1/tmp")).path());
        assertEquals(Path.of("/x/r.json"), PodFile.rehearsal(Map.of("TMPDIR", "/pods/p1/tmp",
                PodFile.REHEARSAL_FILE_VARIABLE, "/x/r.json")).path());
    }

    @Test
    void noCommand() throws IOException {
        assertInvalidInput(run(), null, "backup, rehearse, upgrade, plan, stamp or current");
    }

    @Test
    void unknownCommandAndOption() throws IOException {
        assertInvalidInput(run("restore"), null, "restore");
        assertInvalidInput(run("upgrade", "--migrations", "/m", "--target", "head", "--force"), "upgrade", "--force");
    }

    @Test
    void missingRequiredOptionsAreNamed() throws IOException {
        assertInvalidInput(run("upgrade", "--migrations", "/m"), "upgrade", "--target");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "crm"), "backup", "--label");
    }

    @Test
    void badOptionValuesAreNamed() throws IOException {
        assertInvalidInput(run("upgrade", "--migrations", "/m", "--target", "head;reboot"), "upgrade", "--target");
        assertInvalidInput(run("upgrade", "--migrations", "/m", "--target", "head", "--lock-timeout", "soon"),
                "upgrade", "--lock-timeout");
        assertInvalidInput(run("upgrade", "--migrations", "/m", "--target", "head", "--lock-wait", "-1s"),
                "upgrade", "--lock-wait");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "crm", "--label", "g3", "--retain", "0"),
                "backup", "--retain");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "crm", "--label", "g3", "--retain", "many"),
                "backup", "--retain");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "CRM_prod", "--label", "g3"), "backup", "--name");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "crm", "--label", "g3", "--compression", "brotli"),
                "backup", "--compression");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "crm", "--label", "g3", "--compression", "gzip:10"),
                "backup", "--compression");
        assertInvalidInput(run("backup", "--dir", "/b", "--name", "crm", "--label", "g3", "--compression", "none:1"),
                "backup", "--compression");
    }

    private static UpgradeCommand parseUpgrade(String... args) {
        picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(new RunnerMain()).parseArgs(args);
        return (UpgradeCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void upgradeDefaultsAreLockSafetysDefaults() throws RunnerException {
        UpgradeRequest r = parseUpgrade("upgrade", "--migrations", "/m", "--target", "head").request();
        assertEquals(LockSafety.DEFAULT, r.safety());
        assertEquals(OnFailure.HALT, r.onFailure());
        assertEquals(List.of(), r.verify());
        assertFalse(r.allowDowngrade());
    }

    @Test
    void upgradeOptionsBecomeTheRequest() throws RunnerException {
        UpgradeRequest r = parseUpgrade("upgrade", "--migrations", "/m", "--target", "head",
                "--lock-timeout", "250ms", "--lock-retries", "3", "--statement-timeout", "30s", "--lock-wait", "1m",
                "--verify", "scores-backfilled=select count(*) = 0 from customers where computed_score is null",
                "--verify=has-rows= select count(*) > 0 from customers ",
                "--on-failure", "DownGrade", "--allow-downgrade").request();
        assertEquals(new LockSafety(Duration.ofMillis(250), 3, Duration.ofSeconds(30), Duration.ofMinutes(1)),
                r.safety());
        assertEquals(List.of(
                new VerifyQuery("scores-backfilled", "select count(*) = 0 from customers where computed_score is null"),
                new VerifyQuery("has-rows", "select count(*) > 0 from customers")), r.verify());
        assertEquals(OnFailure.DOWNGRADE, r.onFailure());
        assertTrue(r.allowDowngrade());
    }

    @Test
    void badVerifyAndSafetyOptionsAreNamed() throws IOException {
        String[] upgrade = {"upgrade", "--migrations", "/m", "--target", "head"};
        assertInvalidInput(run(with(upgrade, "--verify", "select true")), "upgrade", "--verify 'select true' must be NAME=SQL");
        assertInvalidInput(run(with(upgrade, "--verify", "Scores=select true")), "upgrade", "--verify name 'Scores'");
        assertInvalidInput(run(with(upgrade, "--verify", "scores=")), "upgrade", "--verify scores has no SQL");
        assertInvalidInput(run(with(upgrade, "--verify", "a=select true", "--verify", "a=select 1 = 1")), "upgrade",
                "verification a is given twice");
        assertInvalidInput(run(with(upgrade, "--on-failure", "rollback")), "upgrade", "--on-failure 'rollback'");
        assertInvalidInput(run(with(upgrade, "--lock-retries", "101")), "upgrade", "--lock-retries");
        assertInvalidInput(run(with(upgrade, "--lock-retries", "-1")), "upgrade", "--lock-retries");
        assertInvalidInput(run(with(upgrade, "--lock-retries", "many")), "upgrade", "--lock-retries");
        assertInvalidInput(run(with(upgrade, "--statement-timeout", "soon")), "upgrade", "--statement-timeout");
    }

    @Test
    void expectFromTakesWhatAPlansFromRevisionShows() throws RunnerException {
        String[] upgrade = {"upgrade", "--migrations", "/m", "--target", "head"};
        assertNull(parseUpgrade(upgrade).request().expectFrom());
        assertEquals("base", parseUpgrade(with(upgrade, "--expect-from", "base")).request().expectFrom());
        assertEquals("cde012fgh345", parseUpgrade(with(upgrade, "--expect-from", "cde012fgh345")).request()
                .expectFrom());
        UpgradeRequest heads = parseUpgrade(with(upgrade, "--expect-from=zz_contract,ab12_expand")).request();
        assertEquals("zz_contract,ab12_expand", heads.expectFrom());
        assertEquals(List.of("ab12_expand", "zz_contract"), heads.expectedRevisions());
        assertEquals(List.of(), parseUpgrade(with(upgrade, "--expect-from", "base")).request().expectedRevisions());
    }

    @Test
    void badExpectFromIsInvalidInputBeforeConnecting() throws IOException {
        String[] upgrade = {"upgrade", "--migrations", "/m", "--target", "head"};
        for (String junk : List.of("", "head;reboot", "a b", "-1", "0001,", ",0001", "0001,,0002", "base,0001",
                "../etc", "$(id)", "x".repeat(65))) {
            CommandLineRun r = run(with(upgrade, "--expect-from", junk));
            assertInvalidInput(r, "upgrade", "--expect-from");
            assertFalse(r.err().contains("ConnectionFailed"), r.err());
        }
        assertInvalidInput(run(with(upgrade, "--expect-from", "0001,0001")), "upgrade",
                "--expect-from names revision 0001 twice");
        assertInvalidInput(run(with(upgrade, "--expect-from", "0001,0002\n")), "upgrade", "--expect-from");
        assertInvalidInput(run(with(upgrade, "--expect-from", "a!")), "upgrade",
                "the revision(s) as a plan's fromRevision shows them");
        assertInvalidInput(run(with(upgrade, "--expect-from")), "upgrade", "--expect-from");
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void planValidatesLikeUpgrade() throws IOException {
        assertInvalidInput(run("plan", "--migrations", "/m"), "plan", "--target");
        assertInvalidInput(run("plan", "--migrations", "/m", "--target", "-1"), "plan", "--target");
        assertInvalidInput(run("plan", "--migrations", "/m", "--target", "head", "--verify", "a=select true"), "plan",
                "--verify");
        assertInvalidInput(run("plan", "--migrations", tmp.toString(), "--target", "head"), "plan", "alembic.ini");
    }

    @Test
    void planReadsTheLintArgumentsTheOperatorWrites() throws IOException {
        PlanRequest written = new PlanRequest(Path.of("/m"), "head", false, true,
                List.of("ban-drop-column", "adding-field-with-default"));
        List<String> args = io.dbmigrate.contract.RunnerArguments.plan("/m", written);
        picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(new RunnerMain())
                .parseArgs(args.toArray(String[]::new));

        assertEquals(written, ((PlanCommand) parsed.subcommand().commandSpec().userObject()).request());
        assertInvalidInput(run("plan", "--migrations", "/m", "--target", "head", "--lint", "--lint-ignore",
                "Ban_Drop"), "plan", "--lint-ignore");
    }

    private static StampCommand parseStamp(String... args) {
        picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(new RunnerMain()).parseArgs(args);
        return (StampCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void stampOptionsBecomeTheRequest() throws RunnerException {
        StampCommand plain = parseStamp("stamp", "--migrations", "/m", "--revision", "ae1027a6acf");
        assertEquals(new StampRequest(Path.of("/m"), "ae1027a6acf", false), plain.request());
        assertEquals(LockSafety.DEFAULT_LOCK_WAIT, plain.lockWait());
        assertEquals(List.of("ae1027a6acf"), plain.request().revisions());

        StampCommand adopt = parseStamp("stamp", "--migrations", "/m", "--revision=zz_contract,ab12_expand",
                "--adopt", "--lock-wait", "1m30s");
        assertEquals(new StampRequest(Path.of("/m"), "zz_contract,ab12_expand", true), adopt.request());
        assertEquals(Duration.ofSeconds(90), adopt.lockWait());
        // One alembic stamp argument each, in the order given.
        assertEquals(List.of("zz_contract", "ab12_expand"), adopt.request().revisions());
        for (String spec : List.of("head", "heads", "base", "expand@head", "1a2b3c4d-5e6f")) {
            assertEquals(List.of(spec), parseStamp("stamp", "--migrations", "/m", "--revision", spec).request()
                    .revisions("--revision"));
        }
    }

    @Test
    void badStampOptionsAreInvalidInputBeforeConnecting() throws IOException {
        assertInvalidInput(run("stamp", "--migrations", "/m"), "stamp", "--revision");
        assertInvalidInput(run("stamp", "--revision", "head"), "stamp", "--migrations");
        for (String junk : List.of("", "-1", "--purge", "head;reboot", "a b", "0001,", ",0001", "0001,,0002",
                "../etc", "$(id)", "x".repeat(65), "0001\n")) {
            CommandLineRun r = run("stamp", "--migrations", "/m", "--revision=" + junk);
            assertInvalidInput(r, "stamp", "--revision");
            assertFalse(r.err().contains("ConnectionFailed"), r.err());
        }
        assertInvalidInput(run("stamp", "--migrations", "/m", "--revision", "base,0001"), "stamp",
                "base means no revision");
        assertInvalidInput(run("stamp", "--migrations", "/m", "--revision", "0001,0001"), "stamp",
                "--revision names revision 0001 twice");
        String tooMany = String.join(",", java.util.stream.IntStream.range(0, 65).mapToObj(i -> "r" + i).toList());
        assertInvalidInput(run("stamp", "--migrations", "/m", "--revision", tooMany), "stamp",
                "--revision names 65 revisions, at most 64");
        assertInvalidInput(run("stamp", "--migrations", "/m", "--revision", "head", "--lock-wait", "soon"), "stamp",
                "--lock-wait");
        assertInvalidInput(run("stamp", "--migrations", tmp.toString(), "--revision", "head"), "stamp",
                "alembic.ini");
        assertInvalidInput(run("stamp", "--migrations", "/m", "--revision", "head", "--purge"), "stamp", "--purge");
    }

    @Test
    void stampHelpNamesItsOptionsAndTheLockWaitDefault() throws IOException {
        CommandLineRun r = run("stamp", "--help");
        assertEquals(0, r.exit());
        assertNull(r.result());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--adopt"), help);
        assertTrue(help.contains("--revision=REV"), help);
        assertTrue(help.contains("(default: " + Durations.format(LockSafety.DEFAULT_LOCK_WAIT) + ")"), help);
        assertTrue(run("--help").out().contains("stamp"), "listed among the commands");
    }

    @Test
    void passwordIsNotAnOption() throws IOException {
        assertInvalidInput(run("current", "--password", "x"), "current", "--password");
    }

    @Test
    void environmentErrorsNameTheVariable() throws IOException {
        assertInvalidInput(run(Map.of("PGHOST", "/var/run/postgresql"), "current"), "current", "PGHOST");
        Map<String, String> noHost = new HashMap<>();
        noHost.put("PGHOST", null);
        assertInvalidInput(run(noHost, "current"), "current", "PGHOST");
    }

    @Test
    void unreachableServerIsAConnectionFailure() throws IOException {
        CommandLineRun r = run("current");
        assertEquals(3, r.exit(), r.err());
        assertEquals("ConnectionFailed", r.result().reason());
        assertTrue(r.err().contains("retryable=true"), r.err());
    }

    @Test
    void upgradeWithoutAlembicIniIsInvalidInput() throws IOException {
        CommandLineRun r = run("upgrade", "--migrations", tmp.toString(), "--target", "head");
        assertInvalidInput(r, "upgrade", "alembic.ini");
    }

    @Test
    void helpExitsZeroAndWritesNoResult() throws IOException {
        CommandLineRun r = run("upgrade", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--lock-timeout"), r.out());
        assertNull(r.result());
        CommandLineRun plan = run("plan", "--help");
        assertEquals(0, plan.exit());
        assertTrue(plan.out().contains("--allow-downgrade"), plan.out());
    }

    @Test
    void helpShowsTheDefaultsLockSafetyHas() throws IOException {
        String help = run("upgrade", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("(default: " + Durations.format(LockSafety.DEFAULT_LOCK_TIMEOUT) + ")"), help);
        assertTrue(help.contains("(default: " + LockSafety.DEFAULT_LOCK_RETRIES + ")"), help);
        assertTrue(help.contains("(default: " + Durations.format(LockSafety.DEFAULT_STATEMENT_TIMEOUT) + ")"), help);
        assertTrue(help.contains("(default: " + Durations.format(LockSafety.DEFAULT_LOCK_WAIT) + ")"), help);
        assertTrue(help.contains("(default: halt)"), help);
    }

    @Test
    void unwritableResultPathIsAWarningNotAFailure() throws IOException {
        Path notAFile = Files.createDirectories(tmp.resolve("dir"));
        CommandLineRun r = run(Map.of("DBMIGRATE_RESULT_PATH", notAFile.toString()), "upgrade", "--target", "head");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("level=warn"), r.err());
    }

    private static <T> T parse(Class<T> command, String... args) {
        picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(new RunnerMain()).parseArgs(args);
        return command.cast(parsed.subcommand().commandSpec().userObject());
    }

    private static final String[] REHEARSE = {"rehearse", "--dir", "/backups", "--name", "crm", "--label", "g7",
            "--migrations", "/m", "--target", "head"};

    @Test
    void rehearseTakesBackupsAndUpgradesOptions() throws RunnerException {
        RehearsalRequest r = parse(RehearseCommand.class, with(REHEARSE,
                "--lock-timeout", "250ms", "--lock-retries", "3", "--statement-timeout", "30s", "--lock-wait", "1m",
                "--verify", "rows=select count(*) > 0 from customers", "--verify", "scored=select true",
                "--allow-downgrade", "--expect-from", "0001_init", "--round-trip")).request();

        assertNull(r.archive(), "the newest archive of name and label");
        assertEquals(Path.of("/backups"), r.directory());
        assertEquals("crm", r.name());
        assertEquals("g7", r.label());
        assertTrue(r.roundTrip());
        UpgradeRequest u = r.upgrade();
        assertEquals(Path.of("/m"), u.migrationsDir());
        assertEquals("head", u.target());
        assertEquals(new LockSafety(Duration.ofMillis(250), 3, Duration.ofSeconds(30), Duration.ofMinutes(1)),
                u.safety());
        assertEquals(List.of(new VerifyQuery("rows", "select count(*) > 0 from customers"),
                new VerifyQuery("scored", "select true")), u.verify());
        assertTrue(u.allowDowngrade());
        assertEquals("0001_init", u.expectFrom());
        assertEquals(OnFailure.HALT, u.onFailure(), "a copy has nothing to take back");
        assertNull(u.windowClosesAt(), "a rehearsal has no window");
    }

    @Test
    void rehearseDefaultsAreUpgradesDefaults() throws RunnerException, IOException {
        RehearsalRequest r = parse(RehearseCommand.class, REHEARSE).request();
        assertEquals(LockSafety.DEFAULT, r.upgrade().safety());
        assertFalse(r.roundTrip());
        assertEquals(parseUpgrade("upgrade", "--migrations", "/m", "--target", "head").request(), r.upgrade());
        String help = run("rehearse", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("(default: " + Durations.format(LockSafety.DEFAULT_LOCK_TIMEOUT) + ")"), help);
        assertTrue(help.contains("--round-trip"), help);
    }

    @Test
    void rehearseLockSampleIntervalZeroTurnsTheSamplerOff() throws RunnerException, IOException {
        RehearsalRequest off = parse(RehearseCommand.class, with(REHEARSE, "--lock-sample-interval", "0")).request();
        assertEquals(Duration.ZERO, off.lockSampleIntervalOrDefault(), "0: no lock profile");
        assertEquals(Duration.ofMillis(2), parse(RehearseCommand.class, with(REHEARSE, "--lock-sample-interval", "2ms"))
                .request().lockSampleIntervalOrDefault());
        assertEquals(RehearsalRequest.DEFAULT_LOCK_SAMPLE_INTERVAL, parse(RehearseCommand.class, REHEARSE).request()
                .lockSampleIntervalOrDefault());
        assertInvalidInput(run(with(REHEARSE, "--lock-sample-interval", "often")), "rehearse", "--lock-sample-interval");
    }

    @Test
    void rehearseValidatesLikeBackupAndUpgrade() throws IOException {
        assertInvalidInput(run("rehearse", "--dir", "/b", "--name", "crm", "--migrations", "/m", "--target", "head"),
                "rehearse", "--label");
        assertInvalidInput(run(with(REHEARSE, "--name", "CRM_prod")), "rehearse", "--name");
        assertInvalidInput(run(with(REHEARSE, "--label", "g_7")), "rehearse", "--label");
        assertInvalidInput(run(with(REHEARSE, "--lock-timeout", "soon")), "rehearse", "--lock-timeout");
        assertInvalidInput(run(with(REHEARSE, "--verify", "select true")), "rehearse", "--verify");
        assertInvalidInput(run(with(REHEARSE, "--expect-from", "a b")), "rehearse", "--expect-from");
        // Upgrade-only options: a copy is thrown away after a failure, and a rehearsal has no window.
        assertInvalidInput(run(with(REHEARSE, "--on-failure", "downgrade")), "rehearse", "--on-failure");
        assertInvalidInput(run(with(REHEARSE, "--window-closes-at", "2026-11-28T04:00:00Z")), "rehearse",
                "--window-closes-at");
        assertInvalidInput(run("rehearse", "--dir", "/b", "--name", "crm", "--label", "g7", "--migrations",
                tmp.toString(), "--target", "head"), "rehearse", "alembic.ini");
        // Written for bad input too: the file says why there is no rehearsal to go by.
        assertEquals("InvalidInput", RunnerJson.read(Files.readString(rehearsalFile)).reason());
    }

    @Test
    void rehearseWithoutAnArchiveFailsBeforeConnectingAndWritesTheRehearsalFile() throws IOException {
        Path migrations = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(migrations.resolve("alembic.ini"), "[alembic]\nscript_location = .\n");
        Path backups = Files.createDirectories(tmp.resolve("backups"));

        CommandLineRun r = run("rehearse", "--dir", backups.toString(), "--name", "crm", "--label", "g7",
                "--migrations", migrations.toString(), "--target", "head");

        assertEquals(26, r.exit(), r.err());
        assertEquals("RehearsalFailed", r.result().reason());
        assertEquals("rehearse", r.result().command());
        assertEquals(RehearsalResult.RESTORE, r.result().rehearsal().failedPhase());
        assertTrue(r.result().message().contains("no archive of crm labelled g7 in " + backups), r.result().message());
        assertEquals(r.result(), RunnerJson.read(Files.readString(rehearsalFile)), "the migrate container reads it");
    }

    @Test
    void upgradeTakesAWindow() throws RunnerException {
        String[] upgrade = {"upgrade", "--migrations", "/m", "--target", "head"};
        UpgradeRequest none = parseUpgrade(upgrade).request();
        assertNull(none.windowClosesAt());
        assertNull(none.expectedDuration());

        UpgradeRequest window = parseUpgrade(with(upgrade, "--window-closes-at", "2026-11-28T04:00:00Z",
                "--expected-duration", "4m10s")).request();
        assertEquals(java.time.Instant.parse("2026-11-28T04:00:00Z"), window.windowClosesAt());
        assertEquals(Duration.ofSeconds(250), window.expectedDuration());
        assertNull(parseUpgrade(with(upgrade, "--window-closes-at", "2026-11-28T04:00:00Z")).request()
                .expectedDuration(), "unknown: zero is assumed");
    }

    @Test
    void badWindowOptionsAreNamed() throws IOException {
        String[] upgrade = {"upgrade", "--migrations", "/m", "--target", "head"};
        for (String junk : List.of("tomorrow", "2026-11-28", "2026-11-28 04:00", "")) {
            assertInvalidInput(run(with(upgrade, "--window-closes-at", junk)), "upgrade", "--window-closes-at");
        }
        assertInvalidInput(run(with(upgrade, "--window-closes-at", "2026-11-28T04:00:00Z", "--expected-duration",
                "long")), "upgrade", "--expected-duration");
        assertInvalidInput(run(with(upgrade, "--window-closes-at", "2026-11-28T04:00:00Z", "--expected-duration",
                "-1m")), "upgrade", "--expected-duration");
    }

    private static void writeRehearsal(Path file, boolean passed, Long upgradeMillis) throws IOException {
        java.time.Instant t = java.time.Instant.parse("2026-11-28T02:00:00Z");
        RehearsalResult rehearsal = new RehearsalResult("dbmigrate_rehearsal_x", "h:5432", "/b/a.dump", "base",
                "0002", List.of("0001", "0002"), false, passed, passed ? null : RehearsalResult.UPGRADE, null, null,
                null, List.of(), upgradeMillis, t, t, true);
        Files.writeString(file, RunnerJson.write(RunnerResult.of("rehearse",
                passed ? ExitCode.OK : ExitCode.REHEARSAL_FAILED, "m").withRehearsal(rehearsal)));
    }

    @Test
    void upgradeReadsTheExpectedDurationFromThePodsRehearsal() throws Exception {
        UpgradeCommand command = parseUpgrade("upgrade", "--migrations", "/m", "--target", "head",
                "--window-closes-at", "2026-11-28T04:00:00Z", "--expected-duration", "1m");
        UpgradeRequest request = command.request();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(err, true, StandardCharsets.UTF_8);

        assertEquals(new MaintenanceWindow.Expected(Duration.ofMinutes(1), "an earlier run"),
                MaintenanceWindow.expected(request, rehearsalFile, log), "no rehearsal file");

        writeRehearsal(rehearsalFile, true, 250_532L);
        assertEquals(new MaintenanceWindow.Expected(Duration.ofMillis(250_532), "its rehearsal"),
                MaintenanceWindow.expected(request, rehearsalFile, log), "the pod's own measurement wins");

        writeRehearsal(rehearsalFile, false, 250_532L);
        assertEquals(new MaintenanceWindow.Expected(Duration.ofMinutes(1), "an earlier run"),
                MaintenanceWindow.expected(request, rehearsalFile, log), "a failed rehearsal measured nothing usable");

        writeRehearsal(rehearsalFile, true, null);
        assertEquals("an earlier run", MaintenanceWindow.expected(request, rehearsalFile, log).source());

        Files.writeString(rehearsalFile, "{not json");
        assertEquals("an earlier run", MaintenanceWindow.expected(request, rehearsalFile, log).source());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot read the rehearsal file"), err.toString());

        UpgradeRequest without = parseUpgrade("upgrade", "--migrations", "/m", "--target", "head",
                "--window-closes-at", "2026-11-28T04:00:00Z").request();
        assertEquals(new MaintenanceWindow.Expected(null, null),
                MaintenanceWindow.expected(without, rehearsalFile, log), "unknown: zero");
    }

    @Test
    void helpListsRehearse() throws IOException {
        CommandLineRun r = run("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("rehearse"), r.out());
        assertTrue(run("upgrade", "--help").out().contains("--window-closes-at"));
    }
}
