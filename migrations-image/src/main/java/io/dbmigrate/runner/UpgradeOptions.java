package io.dbmigrate.runner;

import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options upgrade and rehearse share: what to migrate to, how patiently, and what must hold afterwards. */
final class UpgradeOptions {
    @Mixin
    CommandOptions.Target target = new CommandOptions.Target();

    @Mixin
    CommandOptions.Safety safety = new CommandOptions.Safety();

    @Option(names = "--verify", paramLabel = "NAME=SQL",
            description = "A query that must return one row with true after the upgrade, run read-only;"
                    + " repeatable, run in order. Split at the first '='.")
    List<String> verify = new ArrayList<>();

    @Option(names = "--allow-downgrade",
            description = "Allow a TARGET below the current revision (alembic downgrade TARGET).")
    boolean allowDowngrade;

    @Option(names = "--expect-from", paramLabel = "REVS",
            description = "Run only when the database is at exactly these revision(s), as a plan's fromRevision"
                    + " shows them (base, ae1027a6acf, or heads joined with ','); otherwise exit 25 PlanOutdated"
                    + " and run nothing. The operator passes it for a gated step: the revision its approved plan"
                    + " started from.")
    String expectFrom;

    UpgradeRequest request(OnFailure onFailure) throws RunnerException {
        String revision = target.target();
        LockSafety lockSafety = safety.safety();
        List<VerifyQuery> queries = new ArrayList<>();
        for (String v : verify) {
            queries.add(VerifyQuery.parse("--verify", v));
        }
        if (expectFrom != null) {
            Revisions.parse("--expect-from", expectFrom);
        }
        return new UpgradeRequest(target.migrations.dir, revision, lockSafety, queries, onFailure, allowDowngrade,
                expectFrom);
    }
}
