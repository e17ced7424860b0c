package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.WindowGate;
import io.dbmigrate.decide.MaintenanceWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * `dbmigrate run --now T`: what a run at T would do with each step's gates, computed without connecting to anything.
 * A real run at a pretended time would write false times into backup names and status, so T only ever previews.
 */
public final class Preview {
    private Preview() {
    }

    /** One line per step, in order, until the first step that would wait (the later ones are not reached). */
    public static List<String> at(DatabaseMigrationSpec spec, Instant at, Set<String> approvals) {
        List<String> lines = new ArrayList<>();
        lines.add("Preview at " + MaintenanceWindow.rfc3339(at) + " (--now): nothing was run, backed up or written.");
        if (spec.suspended()) {
            lines.add("spec.suspend is true: no step would start.");
            return lines;
        }
        boolean reached = true;
        for (StepSpec step : spec.stepsOrSingle()) {
            String head = "step " + step.name() + " (to " + step.targetRevision() + "): ";
            if (!reached) {
                lines.add(head + "not reached");
                continue;
            }
            List<String> waits = waits(step, at, approvals);
            if (waits.isEmpty()) {
                lines.add(head + "would run" + opened(step, at, approvals) + lintCaveat(spec, step, approvals));
            } else {
                lines.add(head + "would wait: " + String.join(" and ", waits));
                reached = false;
            }
        }
        return lines;
    }

    private static List<String> waits(StepSpec step, Instant at, Set<String> approvals) {
        List<String> waits = new ArrayList<>();
        GateSpec gate = step.gate();
        if (gate == null) {
            return waits;
        }
        if (gate.approval() != null && !gate.approval().approvedInSpec() && !approvals.contains(step.name())) {
            waits.add("for approval (run with --approve " + step.name() + " on the plan it prints)");
        }
        if (gate.deploymentRollout() != null) {
            waits.add("for the rollout of Deployment " + gate.deploymentRollout().name()
                    + ", which cannot be seen without a cluster");
        }
        if (gate.window() != null) {
            MaintenanceWindow.Verdict verdict = window(gate.window()).check(at, null);
            if (!verdict.open()) {
                waits.add("for its window: " + verdict.reason());
            }
        }
        return waits;
    }

    private static String opened(StepSpec step, Instant at, Set<String> approvals) {
        GateSpec gate = step.gate();
        if (gate == null) {
            return " (no gate)";
        }
        List<String> opened = new ArrayList<>();
        if (gate.approval() != null) {
            opened.add(gate.approval().approvedInSpec() ? "approved in the spec" : "approved with --approve");
        }
        if (gate.window() != null) {
            opened.add(window(gate.window()).check(at, null).reason());
        }
        return ": " + String.join(", ", opened);
    }

    // A preview connects to nothing, so it cannot plan or lint: under Block it says what a run would also check.
    private static String lintCaveat(DatabaseMigrationSpec spec, StepSpec step, Set<String> approvals) {
        if (spec.lintOrDefault().modeOrDefault() != LintSpec.LintMode.Block || approvals.contains(step.name())) {
            return "";
        }
        return "; unless its plan has an error lint finding (spec.safety.lint.mode Block), which the preview cannot see:"
                + " then it waits for --approve " + step.name();
    }

    private static MaintenanceWindow window(WindowGate gate) {
        return MaintenanceWindow.parse(gate.schedule(), gate.duration(), gate.timeZone());
    }
}
