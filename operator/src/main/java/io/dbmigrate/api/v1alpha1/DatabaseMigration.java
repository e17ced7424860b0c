package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.PrinterColumnFormat;
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

/** A database, a migrations image and a target revision: the operator takes the database there, backup first. */
@Group(DatabaseMigration.GROUP)
@Version(DatabaseMigration.VERSION)
@Kind("DatabaseMigration")
@Plural("databasemigrations")
@Singular("databasemigration")
@ShortNames({"dbmigration", "dbmigrations", "dbm"})
@AdditionalPrinterColumn(name = "Database", jsonPath = ".spec.database.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Current", jsonPath = ".status.currentRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Target", jsonPath = ".status.targetRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Step", jsonPath = ".status.currentStep", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last Backup", jsonPath = ".status.lastBackup.finishedAt", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.message", type = AdditionalPrinterColumn.Type.STRING, priority = 1,
        format = PrinterColumnFormat.NONE)
public class DatabaseMigration extends CustomResource<DatabaseMigrationSpec, DatabaseMigrationStatus> implements Namespaced {
    public static final String GROUP = "dbmigrate.io";
    public static final String VERSION = "v1alpha1";

    // Overridden only to give `kubectl explain databasemigration.spec` and `.status` their text.
    @Override
    @Required
    @JsonPropertyDescription("What to migrate, with which migrations image, to which Alembic revision, and how carefully.")
    public DatabaseMigrationSpec getSpec() {
        return super.getSpec();
    }

    // The API server fills in this default until the operator writes status: a new resource then reads as not yet
    // observed (observedGeneration -1 differs from its generation), so kstatus and Flux wait for it instead of
    // reporting it Current. Flux's own CRDs do the same (fluxcd/helm-controller#294).
    @Override
    @Default("{\"observedGeneration\": -1}")
    @JsonPropertyDescription("What the operator observed: the revision the database is at, the last backup and run, "
            + "and the Ready, Reconciling and Stalled conditions.")
    public DatabaseMigrationStatus getStatus() {
        return super.getStatus();
    }
}
