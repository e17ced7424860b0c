package io.dbmigrate.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Context JOSDK hands a reconciler, reduced to what the reconcilers ask of it: their informers' caches of
 * secondary resources, each read here from the API server when asked. Anything else fails the test.
 */
final class InformerContext {
    private InformerContext() {
    }

    @SuppressWarnings("unchecked")
    static <P extends HasMetadata> Context<P> of(Map<Class<?>, Supplier<List<?>>> secondaries) {
        return (Context<P>) Proxy.newProxyInstance(InformerContext.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getSecondaryResources") && secondaries.containsKey(args[0])) {
                        return Set.copyOf(secondaries.get(args[0]).get());
                    }
                    throw new UnsupportedOperationException("Context." + method.getName());
                });
    }
}
