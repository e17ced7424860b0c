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
        String message = r.message() == null ? "" : r.message();

        // 1. The message, down to its first MESSAGE_FLOOR characters.
        if (message.length() > MESSAGE_FLOOR) {
            final RunnerResult base = r;
            IntFunction<RunnerResult> cut = n -> base.withMessage(Truncation.truncate(message, n));
            Integer n = largestFitting(cut, MESSAGE_FLOOR, message.length());
            if (n != null) {
                return serialize(cut.apply(n));
            }
            r = cut.apply(MESSAGE_FLOOR);
        }
        // 1b. A rehearsal's error, which the message repeats, down to as many characters.
        if (r.rehearsal() != null && r.rehearsal().error() != null && r.rehearsal().error().length() > MESSAGE_FLOOR) {
            Integer n = largestFitting(cutRehearsalError(r), MESSAGE_FLOOR, r.rehearsal().error().length());
            if (n != null) {
                return serialize(cutRehearsalError(r).apply(n));
            }
            r = cutRehearsalError(r).apply(MESSAGE_FLOOR);
        }
        // 2. A plan's SQL, cut at a line: the runner's log has all of it, and sqlBytes says how much there is.
        if (r.plan() != null && r.plan().sqlGzipBase64() != null) {
            final RunnerResult base = r;
            final PlanResult p = r.plan();
            String sql = CompressedSql.decode(p.sqlGzipBase64());
            int lines = CompressedSql.lineCount(sql);
            IntFunction<RunnerResult> cut = k -> base.withPlan(k >= lines ? p : new PlanResult(p.target(),
                    p.fromRevision(), p.direction(), p.pendingRevisions(),
                    k == 0 ? null : CompressedSql.encode(CompressedSql.firstLines(sql, k)), p.sqlBytes(), false,
                    p.sqlUnavailable()));
            Integer k = largestFitting(cut, 0, lines);
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        // 3. The applied revisions, then the other lists, keeping the first ones and saying how many were left out.
        if (r.upgrade() != null && r.upgrade().appliedRevisions() != null) {
            final RunnerResult base = r;
            final UpgradeResult u = r.upgrade();
            List<String> all = u.appliedRevisions();
            IntFunction<RunnerResult> cut = k -> base.withUpgrade(new UpgradeResult(u.target(), u.fromRevision(),
                    u.toRevision(), firstOf(all, k), u.failedRevision(), u.startedAt(), u.finishedAt(), u.direction(),
                    u.lockAttempts(), u.verified(), u.failedVerification(), u.rolledBackTo(), u.expectedFrom()));
            Integer k = largestFitting(cut, 0, all.size());
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        // A rehearsal's verified names before its applied revisions, which say what the step does.
        if (r.rehearsal() != null && r.rehearsal().verified() != null) {
            final RunnerResult base = r;
            final RehearsalResult h = r.rehearsal();
            List<String> all = h.verified();
            IntFunction<RunnerResult> cut = k -> base.withRehearsal(rehearsal(h, h.error(), h.appliedRevisions(),
                    firstOf(all, k)));
            Integer k = largestFitting(cut, 0, all.size());
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        if (r.rehearsal() != null && r.rehearsal().appliedRevisions() != null) {
            final RunnerResult base = r;
            final RehearsalResult h = r.rehearsal();
            List<String> all = h.appliedRevisions();
            IntFunction<RunnerResult> cut = k -> base.withRehearsal(rehearsal(h, h.error(), firstOf(all, k),
                    h.verified()));
            Integer k = largestFitting(cut, 0, all.size());
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        if (r.backup() != null && r.backup().pruned() != null) {
            final RunnerResult base = r;
            final BackupResult b = r.backup();
            List<String> all = b.pruned();
            IntFunction<RunnerResult> cut = k -> base.withBackup(new BackupResult(b.file(), b.metadataFile(),
                    b.sizeBytes(), b.sha256(), b.revision(), b.verified(), b.startedAt(), b.finishedAt(),
                    firstOf(all, k)));
            Integer k = largestFitting(cut, 0, all.size());
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        if (r.revisions() != null) {
            final RunnerResult base = r;
            List<String> all = r.revisions();
            IntFunction<RunnerResult> cut = k -> base.withRevisions(firstOf(all, k));
            Integer k = largestFitting(cut, 0, all.size());
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        if (r.plan() != null && r.plan().pendingRevisions() != null) {
            final RunnerResult base = r;
            final PlanResult p = r.plan();
            List<String> all = p.pendingRevisions();
            IntFunction<RunnerResult> cut = k -> base.withPlan(new PlanResult(p.target(), p.fromRevision(),
                    p.direction(), firstOf(all, k), p.sqlGzipBase64(), p.sqlBytes(), p.sqlComplete(),
                    p.sqlUnavailable()));
            Integer k = largestFitting(cut, 0, all.size());
            if (k != null) {
                return serialize(cut.apply(k));
            }
            r = cut.apply(0);
        }
        // 4. The rest of the rehearsal's error, then of the message.
        if (r.rehearsal() != null && r.rehearsal().error() != null) {
            Integer n = largestFitting(cutRehearsalError(r), 0, r.rehearsal().error().length());
            if (n != null) {
                return serialize(cutRehearsalError(r).apply(n));
            }
            r = cutRehearsalError(r).apply(0);
        }
        String shorter = r.message() == null ? "" : r.message();
        final RunnerResult base = r;
        IntFunction<RunnerResult> cut = n -> base.withMessage(Truncation.truncate(shorter, n));
        Integer n = largestFitting(cut, 0, shorter.length());
        if (n != null) {
            return serialize(cut.apply(n));
        }
        // 5. Only what the operator needs to decide: the code, the reason and as much message as fits.
        final RunnerResult bare = new RunnerResult(Truncation.truncate(r.command(), 32), r.exitCode(),
                Truncation.truncate(r.reason(), 64), message, null, null, null, null);
        IntFunction<RunnerResult> last = m -> bare.withMessage(Truncation.truncate(message, m));
        Integer m = largestFitting(last, 0, message.length());
        return serialize(last.apply(m == null ? 0 : m));
    }

    private static IntFunction<RunnerResult> cutRehearsalError(RunnerResult base) {
        RehearsalResult h = base.rehearsal();
        return n -> base.withRehearsal(rehearsal(h, Truncation.truncate(h.error(), n), h.appliedRevisions(),
                h.verified()));
    }

    private static RehearsalResult rehearsal(RehearsalResult h, String error, List<String> applied,
                                             List<String> verified) {
        return new RehearsalResult(h.scratchDatabase(), h.server(), h.archive(), h.fromRevision(), h.toRevision(),
                applied, h.roundTrip(), h.passed(), h.failedPhase(), h.failedRevision(), h.failureReason(), error,
                verified, h.upgradeMillis(), h.startedAt(), h.finishedAt(), h.dropped());
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
