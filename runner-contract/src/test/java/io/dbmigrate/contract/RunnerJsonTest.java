package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RunnerJsonTest {

    private static final Instant T0 = Instant.parse("2024-05-06T07:08:09.123Z");
    private static final Instant T1 = Instant.parse("2024-05-06T07:08:19.456Z");

    private static int bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }

    private static List<String> revisions(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.format("%04d_revision_with_a_long_name", i)).toList();
    }

    @Test
    void roundTripWithIsoInstantsAndNoNulls() {
        RunnerResult r = RunnerResult.of("upgrade", ExitCode.OK, "upgraded")
                .withUpgrade(upgrade("head", "base", "0002", List.of("0001", "0002"), null, T0, T1));
        String json = RunnerJson.write(r);
        assertTrue(json.contains("\"startedAt\":\"2024-05-06T07:08:09.123Z\""), json);
        assertFalse(json.contains("null"), json);
        assertFalse(json.contains("backup"), json);
        assertEquals(r, RunnerJson.read(json));

        RunnerResult b = RunnerResult.of("backup", ExitCode.OK, "ok").withBackup(new BackupResult("/b/x.dump",
                "/b/x.dump.json", 123L, "ab".repeat(32), "base", true, T0, T1, List.of("old.dump")));
        assertEquals(b, RunnerJson.read(RunnerJson.write(b)));
        RunnerResult c = RunnerResult.of("current", ExitCode.OK, "at a,b").withRevisions(List.of("a", "b"));
        assertEquals(c, RunnerJson.read(RunnerJson.write(c)));
    }

    @Test
    void readIgnoresUnknownProperties() {
        RunnerResult r = RunnerJson.read("{\"command\":\"current\",\"exitCode\":3,\"reason\":\"ConnectionFailed\","
                + "\"message\":\"m\",\"addedLater\":{\"x\":1}}");
        assertEquals(3, r.exitCode());
        assertNull(r.upgrade());
    }

    @Test
    void hugeMessageIsTruncatedToFit() {
        RunnerResult r = RunnerResult.of("upgrade", ExitCode.MIGRATION_FAILED, "revision x failed: " + "e".repeat(100_000))
                .withUpgrade(upgrade("head", "base", "base", List.of(), "x", T0, T1));
        String json = RunnerJson.write(r);
        assertTrue(bytes(json) <= RunnerJson.MAX_BYTES, "bytes " + bytes(json));
        assertTrue(bytes(json) > RunnerJson.MAX_BYTES - 100, "uses the space it has: " + bytes(json));
        RunnerResult back = RunnerJson.read(json);
        assertTrue(back.message().startsWith("revision x failed: eee"));
        assertTrue(back.message().endsWith("…"));
        assertEquals("x", back.upgrade().failedRevision());
    }

    @Test
    void manyAppliedRevisionsAreCutWithACount() {
        List<String> applied = revisions(5_000);
        RunnerResult r = RunnerResult.of("upgrade", ExitCode.OK, "m".repeat(3_000))
                .withUpgrade(upgrade("head", "base", "4999", applied, null, T0, T1));
        String json = RunnerJson.write(r);
        assertTrue(bytes(json) <= RunnerJson.MAX_BYTES, "bytes " + bytes(json));
        RunnerResult back = RunnerJson.read(json);
        // The message went down to its floor first.
        assertEquals(RunnerJson.MESSAGE_FLOOR, back.message().length());
        List<String> kept = back.upgrade().appliedRevisions();
        String marker = kept.get(kept.size() - 1);
        assertTrue(marker.matches("…[0-9]+ more"), marker);
        int more = Integer.parseInt(marker.replaceAll("[^0-9]", ""));
        assertEquals(applied.size(), kept.size() - 1 + more);
        assertEquals(applied.subList(0, kept.size() - 1), kept.subList(0, kept.size() - 1));
        assertEquals("4999", back.upgrade().toRevision());
    }

    @Test
    void everythingHugeStillFitsAndParses() {
        String emoji = "\uD83D\uDE00"; // 4 bytes in UTF-8, two chars in Java: must not be split
        RunnerResult r = new RunnerResult("backup", 10, "BackupFailed", (emoji + "é").repeat(20_000),
                new BackupResult("/b/" + "f".repeat(5_000), "/b/m", 1, "x", "r".repeat(5_000), true, T0, T1, revisions(3_000)),
                upgrade("t".repeat(5_000), "a", "b", revisions(3_000), "f", T0, T1), revisions(3_000), null);
        String json = RunnerJson.write(r);
        assertTrue(bytes(json) <= RunnerJson.MAX_BYTES, "bytes " + bytes(json));
        RunnerResult back = RunnerJson.read(json);
        assertEquals(10, back.exitCode());
        assertEquals("BackupFailed", back.reason());
        assertFalse(back.message().contains("\uFFFD"));
    }

    @Test
    void smallResultIsUntouched() {
        RunnerResult r = RunnerResult.of("current", ExitCode.OK, "é".repeat(1_000)).withRevisions(revisions(10));
        assertEquals(r, RunnerJson.read(RunnerJson.write(r)));
    }

    /** SQL that gzip cannot shrink much: every line has a different pseudo-random name. */
    private static String bigSql(int statements) {
        java.util.Random random = new java.util.Random(42);
        StringBuilder sb = new StringBuilder("BEGIN;\n\n");
        for (int i = 0; i < statements; i++) {
            sb.append("ALTER TABLE customers ADD COLUMN c").append(Long.toHexString(random.nextLong()))
                    .append(" TEXT;\n\n");
        }
        return sb.append("COMMIT;\n").toString();
    }

    private static PlanResult plan(String sql, List<String> pending) {
        return new PlanResult("head", "0001", UpgradeResult.UPGRADE, pending, CompressedSql.encode(sql),
                (long) sql.getBytes(StandardCharsets.UTF_8).length, true, null);
    }

    @Test
    void aPlanThatFitsIsUntouched() {
        String sql = "BEGIN;\n\nALTER TABLE customers ADD COLUMN phone TEXT;\n\nCOMMIT;\n";
        RunnerResult r = RunnerResult.of("plan", ExitCode.OK, "plan").withPlan(plan(sql, List.of("0002")));
        RunnerResult back = RunnerJson.read(RunnerJson.write(r));
        assertEquals(r, back);
        assertEquals(sql, CompressedSql.decode(back.plan().sqlGzipBase64()));
        RunnerResult none = RunnerResult.of("plan", ExitCode.OK, "nothing").withPlan(
                new PlanResult("head", "0002", PlanResult.NONE, List.of(), null, null, null, null));
        assertEquals(none, RunnerJson.read(RunnerJson.write(none)));
    }

    @Test
    void bigSqlIsCutAtALineAndSaysSo() {
        String sql = bigSql(2_000);
        long size = sql.getBytes(StandardCharsets.UTF_8).length;
        RunnerResult r = RunnerResult.of("plan", ExitCode.OK, "plan of 1 revision")
                .withPlan(plan(sql, List.of("0002_many_columns")));

        String json = RunnerJson.write(r);

        assertTrue(bytes(json) <= RunnerJson.MAX_BYTES, "bytes " + bytes(json));
        RunnerResult back = RunnerJson.read(json);
        PlanResult p = back.plan();
        assertEquals(Boolean.FALSE, p.sqlComplete());
        assertEquals(size, p.sqlBytes(), "the size of all of it");
        String kept = CompressedSql.decode(p.sqlGzipBase64());
        assertTrue(sql.startsWith(kept), "a prefix");
        assertTrue(kept.endsWith("\n"), "cut at a line break");
        assertTrue(kept.length() > 1_000, "uses the space: " + kept.length() + " characters kept");
        assertTrue(bytes(json) > RunnerJson.MAX_BYTES - 200, "close to the limit: " + bytes(json));
        assertEquals(List.of("0002_many_columns"), p.pendingRevisions());
        assertEquals("plan of 1 revision", back.message());
    }

    @Test
    void manyPendingRevisionsAreCutAfterTheSql() {
        List<String> pending = revisions(2_000);
        RunnerResult r = RunnerResult.of("plan", ExitCode.OK, "plan").withPlan(plan(bigSql(500), pending));
        String json = RunnerJson.write(r);
        assertTrue(bytes(json) <= RunnerJson.MAX_BYTES, "bytes " + bytes(json));
        PlanResult p = RunnerJson.read(json).plan();
        assertNull(p.sqlGzipBase64(), "no room for SQL");
        assertEquals(Boolean.FALSE, p.sqlComplete());
        List<String> kept = p.pendingRevisions();
        assertTrue(kept.get(kept.size() - 1).matches("…[0-9]+ more"), kept.toString());
        assertEquals(pending.get(0), kept.get(0));
    }

    private static RehearsalResult rehearsal(String error, List<String> applied, List<String> verified) {
        return new RehearsalResult("dbmigrate_rehearsal_1a2b3c4d_20261128030000000", "db.example:5432",
                "/backups/crm_20261128T025900000Z_g7.dump", "0001", "0002", applied, true, false,
                RehearsalResult.UPGRADE, "0002", "MigrationFailed", error, verified, 1234L, T0, T1, true);
    }

    @Test
    void aRehearsalRoundTrips() {
        RunnerResult r = RunnerResult.of("rehearse", ExitCode.REHEARSAL_FAILED, "failed")
                .withRehearsal(rehearsal("revision 0002 failed: NameError", List.of("0002"), List.of("rows")));
        assertEquals(r, RunnerJson.read(RunnerJson.write(r)));
    }

    @Test
    void aRehearsalsHugeErrorAndListsAreCutToFit() {
        String error = "revision 0002 failed: NameError: " + "x".repeat(50_000);
        List<String> applied = revisions(2_000);
        List<String> verified = IntStream.range(0, 500).mapToObj(i -> "check-" + i).toList();
        RunnerResult r = RunnerResult.of("rehearse", ExitCode.REHEARSAL_FAILED,
                        "rehearsal on a restored copy failed: " + error + "; production was not touched")
                .withRehearsal(rehearsal(error, applied, verified));

        String json = RunnerJson.write(r);

        assertTrue(bytes(json) <= RunnerJson.MAX_BYTES, "bytes " + bytes(json));
        RehearsalResult back = RunnerJson.read(json).rehearsal();
        assertTrue(back.error().startsWith("revision 0002 failed: NameError: xxx"), back.error());
        assertTrue(back.error().endsWith("…"), back.error());
        assertEquals("0002", back.failedRevision());
        assertEquals("MigrationFailed", back.failureReason());
        assertEquals(RehearsalResult.UPGRADE, back.failedPhase());
        assertEquals(1234L, back.upgradeMillis());
        List<String> kept = back.appliedRevisions();
        assertEquals(applied.get(0), kept.get(0));
        String marker = kept.get(kept.size() - 1);
        assertTrue(marker.matches("…[0-9]+ more"), marker);
        assertEquals(applied.size(), kept.size() - 1 + Integer.parseInt(marker.replaceAll("[^0-9]", "")));
        assertEquals(List.of("…500 more"), back.verified(), "the verified names went first");
        assertTrue(bytes(json) > RunnerJson.MAX_BYTES - 200, "uses the space it has: " + bytes(json));
    }

    @Test
    void aRehearsalsErrorIsCutBeforeItsLists() {
        String error = "e".repeat(3_000);
        RunnerResult r = RunnerResult.of("rehearse", ExitCode.REHEARSAL_FAILED, "failed")
                .withRehearsal(rehearsal(error, revisions(20), List.of("rows")));
        RehearsalResult back = RunnerJson.read(RunnerJson.write(r)).rehearsal();
        assertEquals(revisions(20), back.appliedRevisions(), "the lists fit once the error is shorter");
        assertTrue(back.error().length() < error.length() && back.error().length() >= RunnerJson.MESSAGE_FLOOR,
                "error of " + back.error().length());
    }

    /** An upgrade that ran Alembic once, with no verification and no automatic downgrade. */
    private static UpgradeResult upgrade(String target, String from, String to, List<String> applied, String failed,
                                         Instant startedAt, Instant finishedAt) {
        return new UpgradeResult(target, from, to, applied, failed, startedAt, finishedAt, UpgradeResult.UPGRADE, 1,
                List.of(), null, null, null);
    }
}
