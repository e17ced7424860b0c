package io.dbmigrate.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The JSON form of {@link RunnerResult}. Kubernetes keeps at most 4096 bytes of a container's termination message and
 * cuts the rest, which would leave the operator with unparseable JSON; {@link #write} therefore shortens the result
 * itself until it fits, least important parts first.
 */
public final class RunnerJson {

    /** Kubernetes' limit for one container's termination message. */
    public static final int MAX_BYTES = 4096;

    /** The message is shortened first, but not below this many characters before lists are shortened. */
    static final int MESSAGE_FLOOR = 512;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private RunnerJson() {
    }

    /** Compact JSON of at most {@value #MAX_BYTES} bytes of UTF-8. */
    public static String write(RunnerResult result) {
        String json = serialize(result);
        if (fits(json)) {
            return json;
        }
        RunnerResult r = result;
        for (Stage stage : STAGES) {
            Cut cut = stage.cut(r, result);
            if (cut == null) {
                continue;
            }
            Integer n = largestFitting(cut.variant(), cut.low(), cut.high());
            if (n != null) {
                return serialize(cut.variant().apply(n));
            }
            r = cut.variant().apply(cut.low());
        }
        return serialize(r);
    }

    /**
     * One way to make a result smaller: variants of it that grow with n from low to high (high: as it was). The first
     * stage with a variant that fits gives the largest such; otherwise the next stage starts from its smallest.
     */
    private record Cut(IntFunction<RunnerResult> variant, int low, int high) {
    }

    /** The cut a stage makes of {@code current}, null when it has nothing to cut; {@code original} is as given. */
    private interface Stage {
        Cut cut(RunnerResult current, RunnerResult original);
    }

    /** Least important first. */
    private static final List<Stage> STAGES = List.of(
            // 1. The message, down to its first MESSAGE_FLOOR characters.
            text(RunnerResult::message, RunnerResult::withMessage, MESSAGE_FLOOR),
            // A rehearsal's error, which the message repeats, down to as many characters.
            text(RunnerJson::rehearsalError, RunnerJson::withRehearsalError, MESSAGE_FLOOR),
            // 2. A plan's SQL, cut at a line: the runner's log has all of it, and sqlBytes says how much there is.
            RunnerJson::planSql,
            // A plan's lint findings after its SQL: they say what a reviewer must look at; the log has them all.
            RunnerJson::lintFindings,
            // A rehearsal's lock holds, the longest first: the runner's log has all of them.
            RunnerJson::lockHolds,
            // 3. The applied revisions, then the other lists, keeping the first ones and saying how many were left out.
            list(r -> r.upgrade() == null ? null : r.upgrade().appliedRevisions(), (r, l) -> {
                UpgradeResult u = r.upgrade();
                return r.withUpgrade(new UpgradeResult(u.target(), u.fromRevision(), u.toRevision(), l,
                        u.failedRevision(), u.startedAt(), u.finishedAt(), u.direction(), u.lockAttempts(),
                        u.verified(), u.failedVerification(), u.rolledBackTo(), u.expectedFrom()));
            }),
            // A rehearsal's verified names before its applied revisions, which say what the step does.
            list(r -> r.rehearsal() == null ? null : r.rehearsal().verified(), (r, l) -> r.withRehearsal(
                    rehearsal(r.rehearsal(), r.rehearsal().error(), r.rehearsal().appliedRevisions(), l))),
            list(r -> r.rehearsal() == null ? null : r.rehearsal().appliedRevisions(), (r, l) -> r.withRehearsal(
                    rehearsal(r.rehearsal(), r.rehearsal().error(), l, r.rehearsal().verified()))),
            list(r -> r.backup() == null ? null : r.backup().pruned(), (r, l) -> {
                BackupResult b = r.backup();
                return r.withBackup(new BackupResult(b.file(), b.metadataFile(), b.sizeBytes(), b.sha256(),
                        b.revision(), b.verified(), b.startedAt(), b.finishedAt(), l));
            }),
            list(RunnerResult::revisions, RunnerResult::withRevisions),
            list(r -> r.plan() == null ? null : r.plan().pendingRevisions(), (r, l) -> {
                PlanResult p = r.plan();
                return r.withPlan(new PlanResult(p.target(), p.fromRevision(), p.direction(), l, p.sqlGzipBase64(),
                        p.sqlBytes(), p.sqlComplete(), p.sqlUnavailable(), p.lint()));
            }),
            // 4. The rest of the rehearsal's error, then of the message.
            text(RunnerJson::rehearsalError, RunnerJson::withRehearsalError, 0),
            (r, original) -> textCut(r, r.message() == null ? "" : r.message(), RunnerResult::withMessage, 0),
            // 5. Only what the operator needs to decide: the code, the reason and as much message as fits.
            (r, original) -> {
                String message = original.message() == null ? "" : original.message();
                RunnerResult bare = new RunnerResult(Truncation.truncate(r.command(), 32), r.exitCode(),
                        Truncation.truncate(r.reason(), 64), message, null, null, null, null);
                return textCut(bare, message, RunnerResult::withMessage, 0);
            });

    /** A text cut down to {@code floor} characters, when it is longer than that (any length when floor is 0). */
    private static Stage text(Function<RunnerResult, String> text, BiFunction<RunnerResult, String, RunnerResult> with,
                              int floor) {
        return (r, original) -> {
            String value = text.apply(r);
            return value == null || (floor > 0 && value.length() <= floor) ? null : textCut(r, value, with, floor);
        };
    }

    private static Cut textCut(RunnerResult base, String value, BiFunction<RunnerResult, String, RunnerResult> with,
                               int floor) {
        return new Cut(n -> with.apply(base, Truncation.truncate(value, n)), floor, value.length());
    }

    /** A list cut to its first n entries and a "…N more" one. */
    private static Stage list(Function<RunnerResult, List<String>> list,
                              BiFunction<RunnerResult, List<String>, RunnerResult> with) {
        return (r, original) -> {
            List<String> all = list.apply(r);
            return all == null ? null : new Cut(k -> with.apply(r, firstOf(all, k)), 0, all.size());
        };
    }

    /** A plan's SQL cut to its first k lines, marked incomplete. */
    private static Cut planSql(RunnerResult r, RunnerResult original) {
        PlanResult p = r.plan();
        if (p == null || p.sqlGzipBase64() == null) {
            return null;
        }
        String sql = CompressedSql.decode(p.sqlGzipBase64());
        int lines = CompressedSql.lineCount(sql);
        return new Cut(k -> r.withPlan(k >= lines ? p : new PlanResult(p.target(), p.fromRevision(), p.direction(),
                p.pendingRevisions(), k == 0 ? null : CompressedSql.encode(CompressedSql.firstLines(sql, k)),
                p.sqlBytes(), false, p.sqlUnavailable(), p.lint())), 0, lines);
    }

    /** A plan's lint findings cut to the first k; its total and errors still count them all. */
    private static Cut lintFindings(RunnerResult r, RunnerResult original) {
        PlanResult p = r.plan();
        if (p == null || p.lint() == null || p.lint().findings() == null || p.lint().findings().isEmpty()) {
            return null;
        }
        LintReport lint = p.lint();
        return new Cut(k -> r.withPlan(p.withLint(lint.firstFindings(k))), 0, lint.findings().size());
    }

    private static Cut lockHolds(RunnerResult r, RunnerResult original) {
        RehearsalResult h = r.rehearsal();
        if (h == null || h.lockProfile() == null || h.lockProfile().holds().isEmpty()) {
            return null;
        }
        List<LockHold> holds = h.lockProfile().holds();
        return new Cut(k -> r.withRehearsal(h.withLockProfile(h.lockProfile().withHolds(holds.subList(0, k)))), 0,
                holds.size());
    }

    private static String rehearsalError(RunnerResult r) {
        return r.rehearsal() == null ? null : r.rehearsal().error();
    }

    private static RunnerResult withRehearsalError(RunnerResult r, String error) {
        RehearsalResult h = r.rehearsal();
        return r.withRehearsal(rehearsal(h, error, h.appliedRevisions(), h.verified()));
    }

    private static RehearsalResult rehearsal(RehearsalResult h, String error, List<String> applied,
                                             List<String> verified) {
        return new RehearsalResult(h.scratchDatabase(), h.server(), h.archive(), h.fromRevision(), h.toRevision(),
                applied, h.roundTrip(), h.passed(), h.failedPhase(), h.failedRevision(), h.failureReason(), error,
                verified, h.upgradeMillis(), h.startedAt(), h.finishedAt(), h.dropped(), h.lockProfile());
    }

    public static RunnerResult read(String json) {
        try {
            return MAPPER.readValue(json, RunnerResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a runner result: " + e.getOriginalMessage(), e);
        }
    }

    /** Anything {@link #writePretty} wrote (the backup metadata). */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Indented JSON of anything, for files people read (the backup metadata). */
    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String serialize(RunnerResult r) {
        try {
            return MAPPER.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean fits(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }

    /** The largest n in [low, high] whose variant fits, or null if not even low does. Size grows with n. */
    private static Integer largestFitting(IntFunction<RunnerResult> variant, int low, int high) {
        if (!fits(serialize(variant.apply(low)))) {
            return null;
        }
        int lo = low;
        int hi = high;
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (fits(serialize(variant.apply(mid)))) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static List<String> firstOf(List<String> all, int k) {
        if (k >= all.size()) {
            return all;
        }
        List<String> kept = new ArrayList<>(all.subList(0, k));
        kept.add(Truncation.ELLIPSIS + (all.size() - k) + " more");
        return kept;
    }
}
