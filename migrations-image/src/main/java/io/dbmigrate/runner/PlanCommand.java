package io.dbmigrate.runner;

import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeResult;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbmigrate-runner plan}: what upgrade would do, for a reviewer, without doing it. */
@Command(name = "plan",
        description = {"What upgrade would do, without doing it: the database's revision, the revisions pending"
                + " and their SQL from Alembic's offline mode (--sql), printed in full on stdout before the"
                + " summary line. Takes no lock, writes nothing."})
final class PlanCommand implements RunnerCommand {

    @Mixin
    CommandOptions.Target target = new CommandOptions.Target();

    @Option(names = "--allow-downgrade",
            description = "Plan a TARGET below the current revision as a downgrade instead of refusing it.")
    boolean allowDowngrade;

    @Option(names = "--lint",
            description = "Lint the plan's SQL with squawk (DBMIGRATE_SQUAWK) and report its findings per revision; a"
                    + " squawk that is missing or fails is reported as such.")
    boolean lint;

    @Option(names = "--lint-ignore", split = ",", paramLabel = "RULE",
            description = "With --lint: squawk rules whose findings are dropped (comma-separated), e.g."
                    + " adding-field-with-default.")
    List<String> lintIgnore = new ArrayList<>();

    @Override
    public void validateOptions() throws RunnerException {
        target.target();
        request().validate();
    }

    PlanRequest request() {
        return new PlanRequest(target.migrations.dir, target.target, allowDowngrade, lint, lintIgnore);
    }

    @Override
    public RunnerResult run(Invocation in) throws RunnerException {
        PlanResult p = Plan.run(in.settings(), in.tools(), request(), in.err(), in.out());
        in.log("plan made", "direction", p.direction(), "from", p.fromRevision(),
                "pending", String.join(",", p.pendingRevisions()), "sqlBytes", p.sqlBytes() == null ? 0 : p.sqlBytes(),
                "sqlUnavailable", p.sqlUnavailable() == null ? "" : p.sqlUnavailable(),
                "lintFindings", p.lint() == null || p.lint().total() == null ? "" : p.lint().total(),
                "lintUnavailable", p.lint() == null || p.lint().unavailable() == null ? "" : p.lint().unavailable());
        return in.succeeded(summary(in.settings().database(), p)).withPlan(p);
    }

    static String summary(String database, PlanResult p) {
        StringBuilder sb = new StringBuilder("database '").append(database).append("' is at ")
                .append(p.fromRevision());
        if (PlanResult.NONE.equals(p.direction())) {
            return sb.append(": nothing to do for target ").append(p.target()).toString();
        }
        boolean downgrade = UpgradeResult.DOWNGRADE.equals(p.direction());
        sb.append("; ").append(p.direction()).append(" to ").append(p.target())
                .append(downgrade ? " would undo " : " would apply ").append(String.join(", ", p.pendingRevisions()));
        if (p.sqlUnavailable() != null) {
            sb.append(" (no SQL: ").append(p.sqlUnavailable()).append(')');
        } else if (p.sqlBytes() != null) {
            sb.append(" (SQL above, ").append(p.sqlBytes()).append(" bytes)");
        }
        if (p.lint() != null) {
            sb.append(p.lint().unavailable() != null ? "; lint unavailable: " + p.lint().unavailable()
                    : "; lint: " + p.lint().total() + " finding(s), " + p.lint().findings().stream()
                    .filter(io.dbmigrate.contract.LintFinding::error).count() + " error(s)");
        }
        return sb.toString();
    }
}
