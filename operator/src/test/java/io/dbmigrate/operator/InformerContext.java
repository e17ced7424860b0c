package io.dbmigrate.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Context JOSDK hands a reconciler, reduced to what the reconcilers ask of it: their informers' caches of
 * secondary resources and of their primaries, each read here from the API server when asked. Anything else fails the test.
 */
final class InformerContext {
    private InformerContext() {
    }

    static <P extends HasMetadata> Context<P> of(Map<Class<?>, Supplier<List<?>>> secondaries) {
        return of(() -> {
            throw new UnsupportedOperationException("Context.getPrimaryCache");
        }, secondaries);
    }

    /** With the primary resources' cache too: its {@code list()}, read from the API server when asked. */
    @SuppressWarnings("unchecked")
    static <P extends HasMetadata> Context<P> of(Supplier<List<P>> primaries,
                                                 Map<Class<?>, Supplier<List<?>>> secondaries) {
        IndexedResourceCache<P> cache = (IndexedResourceCache<P>) Proxy.newProxyInstance(
                InformerContext.class.getClassLoader(), new Class<?>[] {IndexedResourceCache.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("list") && (args == null || args.length == 0)) {
                        return primaries.get().stream();
                    }
                    throw new UnsupportedOperationException("IndexedResourceCache." + method.getName());
                });
        return (Context<P>) Proxy.newProxyInstance(InformerContext.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getSecondaryResources") && secondaries.containsKey(args[0])) {
                        return Set.copyOf(secondaries.get(args[0]).get());
                    }
                    if (method.getName().equals("getPrimaryCache")) {
                        return cache;
                    }
                    throw new UnsupportedOperationException("Context." + method.getName());
                });
    }
}
