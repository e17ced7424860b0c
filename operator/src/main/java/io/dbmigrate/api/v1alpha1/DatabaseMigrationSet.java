package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Many databases migrated alike: one DatabaseMigration per generated target, owned by the set, rolled out canary first,
 * a few at a time, halting on failure. As Argo CD's ApplicationSet generates Applications.
 */
@Group(DatabaseMigration.GROUP)
@Version(DatabaseMigration.VERSION)
@Kind("DatabaseMigrationSet")
@Plural("databasemigrationsets")
@Singular("databasemigrationset")
@ShortNames({"dbmigrationset", "dbmigrationsets", "dbms"})
// The template is a DatabaseMigration spec without its database, which each target gives: the same type, with the
// field taken out of this CRD's schema only.
@SchemaSwap(originalType = DatabaseMigrationSpec.class, fieldName = "database")
@AdditionalPrinterColumn(name = "Targets", jsonPath = ".status.targets", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Succeeded", jsonPath = ".status.succeeded", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.failed", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Running", jsonPath = ".status.running", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// With -o wide: targets held until a plan is approved (not counted as Running), and what the set says.
@AdditionalPrinterColumn(name = "Awaiting Approval", jsonPath = ".status.awaitingApproval",
        type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.message", type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
public class DatabaseMigrationSet extends CustomResource<DatabaseMigrationSetSpec, DatabaseMigrationSetStatus>
        implements Namespaced {
    /** The label on each of the set's DatabaseMigrations: the set's name. */
    public static final String LABEL_SET = "dbmigrate.io/set";
    /** The annotation on each of them: its target's name (up to 253 characters, too long for a label). */
    public static final String TARGET_ANNOTATION = "dbmigrate.io/target";
    /** The annotation on each of them: the set's generation it was written for. */
    public static final String SET_GENERATION_ANNOTATION = "dbmigrate.io/set-generation";
    /** The annotation on each of them that was written as part of the canary. */
    public static final String CANARY_ANNOTATION = "dbmigrate.io/canary";
    /**
     * On the set: the failed targets to migrate again, comma-separated. Each is spent once its DatabaseMigration is made
     * anew (a failed generation is final, so the retry is a new one).
     */
    public static final String RETRY_ANNOTATION = "dbmigrate.io/retry";

    @Override
    @Required
    @JsonPropertyDescription("The DatabaseMigration spec every target gets, the targets, and how the change rolls out.")
    public DatabaseMigrationSetSpec getSpec() {
        return super.getSpec();
    }

    // As DatabaseMigration's: a new set reads as not yet observed until the operator writes status.
    @Override
    @Default("{\"observedGeneration\": -1}")
    @JsonPropertyDescription("What the operator observed: the targets' counts, the failed ones, and the Ready, "
            + "Reconciling and Stalled conditions.")
    public DatabaseMigrationSetStatus getStatus() {
        return super.getStatus();
    }
}
