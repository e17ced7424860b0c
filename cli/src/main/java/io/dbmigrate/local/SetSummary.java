package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.FailedTarget;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanAwaitingApproval;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.fleet.SetReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What `dbmigrate run` of a set prints on stdout: a line per target as it ends, and at the end the outcome, the counts
 * and the failed targets. Pure: built from the statuses. Messages come from status, which never holds a password.
 */
public final class SetSummary {
    private SetSummary() {
    }

    /** E.g. {@code tenant-b: Failed (MigrationFailed), at xyz789uvw012, 2.3s: Upgrade failed at abc123def456: ...}. */
    public static String line(LocalSetRun.Finished finished) {
        DatabaseMigrationStatus status = finished.migration().getStatus() == null ? DatabaseMigrationStatus.EMPTY
                : finished.migration().getStatus();
        Phase phase = status.phase();
        String reason = status.conditionsOrEmpty().stream().filter(c -> StatusCondition.READY.equals(c.type()))
                .map(StatusCondition::reason).findFirst().orElse(null);
        String outcome = phase == Phase.AwaitingGate ? "Waiting" : String.valueOf(phase);
        return finished.target() + ": " + outcome + (phase == Phase.Succeeded || reason == null ? "" : " (" + reason + ")")
                + ", at " + (status.currentRevision() == null ? "a revision not read" : status.currentRevision()) + ", "
                + seconds(finished.took()) + (phase == Phase.Succeeded || status.message() == null ? ""
                : ": " + status.message());
    }

    /** The outcome, a table of counts, and the failed targets (newest first, as the set's status lists them). */
    public static List<String> of(LocalSetRun.Result result, int maxFailures) {
        DatabaseMigrationSetStatus status = result.status();
        int targets = zero(status.targets());
        int failed = zero(status.failed());
        List<String> lines = new ArrayList<>();
        lines.add(headline(result, targets, failed, maxFailures));
        String[] header = {"TARGETS", "SUCCEEDED", "FAILED", "WAITING", "NOT STARTED"};
        // Local children end their run when they wait, so waiting covers those held for an approval too.
        int[] counts = {targets, zero(status.succeeded()), failed, zero(status.running())
                + zero(status.awaitingApproval()), zero(status.pending())};
        StringBuilder top = new StringBuilder("  ");
        StringBuilder row = new StringBuilder("  ");
        for (int i = 0; i < header.length; i++) {
            String format = "%-" + (header[i].length() + 2) + "s";
            top.append(String.format(Locale.ROOT, format, header[i]));
            row.append(String.format(Locale.ROOT, format, counts[i]));
        }
        lines.add(top.toString().stripTrailing());
        lines.add(row.toString().stripTrailing());
        List<PlanAwaitingApproval> plans = status.plansAwaitingApproval() == null ? List.of()
                : status.plansAwaitingApproval();
        if (!plans.isEmpty()) {
            lines.add("  awaiting approval:");
            for (PlanAwaitingApproval plan : plans) {
                lines.add("    plan " + (plan.plan() == null ? "(not published)" : plan.plan()) + " of step " + plan.step()
                        + " (" + plan.reason() + "): " + String.join(", ", plan.targets())
                        + (plan.count() > plan.targets().size() ? " and " + (plan.count() - plan.targets().size())
                        + " more" : ""));
            }
        }
        List<FailedTarget> listed = status.failedTargets() == null ? List.of() : status.failedTargets();
        if (!listed.isEmpty()) {
            lines.add("  failed targets:");
            for (FailedTarget target : listed) {
                lines.add("    " + target.target() + (target.reason() == null ? "" : " (" + target.reason() + ")")
                        + (target.message() == null ? "" : ": " + target.message()));
            }
            if (failed > listed.size()) {
                lines.add("    and " + (failed - listed.size()) + " more (their lines above)");
            }
        }
        return lines;
    }

    private static String headline(LocalSetRun.Result result, int targets, int failed, int maxFailures) {
        String reason = result.reason();
        int notStarted = zero(result.status().pending());
        String rest = notStarted == 0 ? "" : "; " + notStarted + " target" + (notStarted == 1 ? "" : "s")
                + " not started, left as they were";
        if (result.interrupted()) {
            return "Interrupted: no target started after Ctrl-C" + rest;
        }
        if (reason.equals(SetReason.Succeeded.name())) {
            return "Succeeded: " + (targets == 0 ? "no targets" : "all " + targets + " targets migrated");
        }
        if (reason.equals(SetReason.RolloutHalted.name())) {
            return "Halted: " + failed + " failed, more than maxFailures " + maxFailures + rest;
        }
        if (reason.equals(SetReason.CanaryFailed.name())) {
            return "Halted: a canary target failed" + rest;
        }
        if (reason.equals(SetReason.TargetsFailed.name())) {
            return "Failed: " + failed + " of " + targets + " targets failed (within maxFailures " + maxFailures + ")";
        }
        if (reason.equals(SetReason.AwaitingApproval.name())) {
            return "Waiting: the canary succeeded; the rest waits for approval: run again with --approve canary (the canary "
                    + "runs again first, each target taking its backup and finding nothing to apply)" + rest;
        }
        if (reason.equals(SetReason.AwaitingPlanApproval.name())) {
            PlanAwaitingApproval first = result.status().plansAwaitingApproval().get(0);
            int held = zero(result.status().awaitingApproval());
            return "Waiting: " + held + (held == 1 ? " target waits" : " targets wait") + " for approval of its plan"
                    + " (listed below); gate.approval.plan: " + (first.plan() == null ? "<digest>" : first.plan())
                    + " on step " + first.step() + " of spec.template approves every target with that plan, or run "
                    + "again with --approve " + first.step() + rest;
        }
        if (reason.equals(SetReason.Suspended.name())) {
            return "Suspended: spec.rollout.suspend is true, so no target starts" + rest;
        }
        if (zero(result.status().running()) > 0 && failed == 0) {
            return "Waiting: " + result.status().running() + " target(s) wait at a gate of their steps (their lines say "
                    + "which and how to go on)" + rest;
        }
        return result.status().phase() + ": " + result.status().message();
    }

    private static String seconds(Duration took) {
        return String.format(Locale.ROOT, "%.1fs", took.toMillis() / 1000.0);
    }

    private static int zero(Integer value) {
        return value == null ? 0 : value;
    }
}
