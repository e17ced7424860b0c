package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import java.util.Set;

/**
 * What a reconcile changes besides status: the Job its decision creates, the approvals it spends, the stamp annotation
 * it removes. The operator makes them API writes, local mode does them in process.
 */
public interface Effects {

    /** Creates the step's Job. */
    void createJob(DatabaseMigration resource, Decision.CreateJob create);

    /** Creates the Job that plans a gated step. */
    void createPlanJob(DatabaseMigration resource, Decision.CreatePlanJob plan);

    /** Creates a stamp's Job. */
    void createStampJob(DatabaseMigration resource, Decision.CreateStampJob stamp);

    /** Takes these steps out of the approve annotation. */
    void spendApprovals(DatabaseMigration resource, Set<String> steps);

    /** Removes the stamp annotation, if it still holds {@code value}. */
    void removeStampAnnotation(DatabaseMigration resource, String value);

    /** A reconcile's effects, the Job first: an approval is spent only once the Job it opened exists. */
    default void carryOut(Reconciliation outcome) {
        DatabaseMigration resource = outcome.resource();
        Decision decision = outcome.decision();
        if (decision instanceof Decision.CreateJob create) {
            createJob(resource, create);
        } else if (decision instanceof Decision.CreatePlanJob plan) {
            createPlanJob(resource, plan);
        } else if (decision instanceof Decision.CreateStampJob stamp) {
            createStampJob(resource, stamp);
        }
        if (!outcome.spentApprovals().isEmpty()) {
            spendApprovals(resource, outcome.spentApprovals());
        }
        outcome.spentStampAnnotation().ifPresent(value -> removeStampAnnotation(resource, value));
    }
}
