package io.dbmigrate.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * An informer's cache that keeps of each resource only what the operator reads. Informers without a label selector
 * (Deployments, Secrets) see every resource of their kind in the watched namespaces, most of which the operator never
 * judges: what it drops as they arrive costs no heap, and what it never holds it cannot leak.
 */
class SlimItemStore<T extends HasMetadata> extends BasicItemStore<T> {
    private final UnaryOperator<T> slim;

    SlimItemStore(UnaryOperator<T> slim) {
        super(Cache::metaNamespaceKeyFunc);
        this.slim = slim;
    }

    @Override
    public T put(String key, T resource) {
        return super.put(key, slim.apply(resource));
    }

    /** What every slim copy keeps of the metadata: its identity and the resourceVersion the informer compares. */
    static ObjectMetaBuilder identity(HasMetadata resource) {
        var metadata = resource.getMetadata();
        return new ObjectMetaBuilder()
                .withName(metadata.getName())
                .withNamespace(metadata.getNamespace())
                .withUid(metadata.getUid())
                .withResourceVersion(metadata.getResourceVersion());
    }
}
