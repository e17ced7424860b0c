package io.dbmigrate.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Map;

/** Null-safe reads of API objects: a field absent from the JSON may come back as null or as an empty list. */
public final class Specs {

    private Specs() {
    }

    public static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }

    public static Map<String, String> map(Map<String, String> maybe) {
        return maybe == null ? Map.of() : maybe;
    }

    public static List<Container> initContainers(Pod pod) {
        return list(pod.getSpec().getInitContainers());
    }

    public static List<Container> containers(Pod pod) {
        return list(pod.getSpec().getContainers());
    }

    public static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}
