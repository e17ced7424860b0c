package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.naming.Sha256;

/**
 * What decides a step's outcome, hashed: the database, the migrations image and path, and the step's target. The
 * image is in it because `head` of a new image is a new target.
 */
public final class Fingerprint {

    private Fingerprint() {
    }

    public static String of(DatabaseMigrationSpec spec, StepSpec step) {
        String text = String.join("\n",
                spec.database().host(), Integer.toString(spec.database().portOrDefault()), spec.database().name(),
                spec.migrations().image(), spec.migrations().pathOrDefault(), step.targetRevision());
        return Sha256.hex(text, 8);
    }
}
