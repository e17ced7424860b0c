package io.dbmigrate.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpecBuilder;

/**
 * The Deployment informer's cache, keeping of each Deployment only what a rollout gate judges (generation, replicas,
 * status). Deployments are the application's, and the informer sees every one in the watched namespaces: their pod
 * templates (containers, env, volumes) are most of their size, and the operator never reads them.
 */
final class RolloutFieldsStore extends SlimItemStore<Deployment> {

    RolloutFieldsStore() {
        super(RolloutFieldsStore::slim);
    }

    static Deployment slim(Deployment deployment) {
        var spec = deployment.getSpec();
        return new DeploymentBuilder()
                .withApiVersion(deployment.getApiVersion())
                .withKind(deployment.getKind())
                .withMetadata(identity(deployment).withGeneration(deployment.getMetadata().getGeneration()).build())
                .withSpec(spec == null ? null : new DeploymentSpecBuilder()
                        .withReplicas(spec.getReplicas())
                        .withPaused(spec.getPaused())
                        .build())
                .withStatus(deployment.getStatus())
                .build();
    }
}
