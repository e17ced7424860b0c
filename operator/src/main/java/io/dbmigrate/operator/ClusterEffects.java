package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Effects;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A reconcile's effects as API writes: Jobs created by name, annotations patched only if unchanged. */
final class ClusterEffects implements Effects {
    // The reconciler's log lines, under its name as before they moved here.
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);

    private final KubernetesClient client;

    ClusterEffects(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void createJob(DatabaseMigration resource, Decision.CreateJob create) {
        create(resource, JobFactory.build(resource, create));
    }

    @Override
    public void createPlanJob(DatabaseMigration resource, Decision.CreatePlanJob plan) {
        create(resource, JobFactory.buildPlan(resource, plan.step()));
    }

    @Override
    public void createStampJob(DatabaseMigration resource, Decision.CreateStampJob stamp) {
        create(resource, JobFactory.buildStamp(resource, stamp.run()));
    }

    @Override
    public void spendApprovals(DatabaseMigration resource, Set<String> steps) {
        ApprovalAnnotation.consume(client, resource, steps);
    }

    @Override
    public void removeStampAnnotation(DatabaseMigration resource, String value) {
        ApprovalAnnotation.removeStamp(client, resource, value);
    }

    private void create(DatabaseMigration resource, Job job) {
        String jobName = job.getMetadata().getName();
        try {
            client.batch().v1().jobs().inNamespace(resource.getMetadata().getNamespace()).resource(job).create();
            LOG.info("msg=\"job created\" resource={}/{} job={}", resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), jobName);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw RefusedWrite.orRethrow("Job " + jobName, e);
            }
            // Created by an earlier reconcile whose status write was lost, or not yet in the informer's cache: the name is
            // the guarantee of one Job.
            LOG.info("msg=\"job exists\" resource={}/{} job={}", resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), jobName);
        }
    }
}
