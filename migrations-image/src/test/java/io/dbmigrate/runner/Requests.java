package io.dbmigrate.runner;

import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Upgrade requests as the runner's tests write them: whatever revision the database is at, no window. */
final class Requests {

    private Requests() {
    }

    /** A plain upgrade: no retries, no verification, halt on failure, no downgrade. */
    static UpgradeRequest upgrade(Path migrations, String target, Duration lockTimeout, Duration lockWait) {
        return upgrade(migrations, target, new LockSafety(lockTimeout, 0, Duration.ZERO, lockWait), List.of(),
                OnFailure.HALT, false);
    }

    static UpgradeRequest upgrade(Path migrations, String target, LockSafety safety, List<VerifyQuery> verify,
                                  OnFailure onFailure, boolean allowDowngrade) {
        return new UpgradeRequest(migrations, target, safety, verify, onFailure, allowDowngrade, null);
    }
}
