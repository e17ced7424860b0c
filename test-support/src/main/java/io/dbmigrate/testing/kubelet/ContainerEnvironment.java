package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.Specs;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variables a container's spec defines (envFrom, then env in order, with {@code $(VAR)} expansion), resolved
 * through the API as a kubelet does. A missing Secret, ConfigMap or key that is not optional is a
 * {@link ContainerStartError#CONFIG_ERROR} with the message a real kubelet gives, so tests of "the operator reports a
 * missing credentials Secret" see what a cluster shows.
 */
final class ContainerEnvironment {

    private static final Pattern FIELD_MAP_ENTRY = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final KubernetesClient client;
    private final Pod pod;

    ContainerEnvironment(KubernetesClient client, Pod pod) {
        this.client = client;
        this.pod = pod;
    }

    private String namespace() {
        return pod.getMetadata().getNamespace();
    }

    Map<String, String> resolve(Container container) throws ContainerStartError {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Specs.list(container.getEnvFrom())) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getSecretRef() != null) {
                Map<String, String> data = secretData(from.getSecretRef().getName(),
                        Boolean.TRUE.equals(from.getSecretRef().getOptional()));
                if (data != null) {
                    data.forEach((k, v) -> env.put(prefix + k, v));
                }
            }
            if (from.getConfigMapRef() != null) {
                Map<String, String> data = configMapData(from.getConfigMapRef().getName(),
                        Boolean.TRUE.equals(from.getConfigMapRef().getOptional()));
                if (data != null) {
                    data.forEach((k, v) -> env.put(prefix + k, v));
                }
            }
        }
        for (EnvVar variable : Specs.list(container.getEnv())) {
            String value = valueOf(variable, env);
            if (value != null) {
                env.put(variable.getName(), value);
            }
        }
        return env;
    }

    /** Null means "leave the variable unset" (an optional reference that does not resolve). */
    private String valueOf(EnvVar variable, Map<String, String> earlier) throws ContainerStartError {
        EnvVarSource source = variable.getValueFrom();
        if (source == null) {
            return VariableExpansion.expand(variable.getValue() == null ? "" : variable.getValue(), earlier);
        }
        if (source.getSecretKeyRef() != null) {
            SecretKeySelector ref = source.getSecretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            return keyValue(secretData(ref.getName(), optional), "Secret", ref.getName(), ref.getKey(), optional);
        }
        if (source.getConfigMapKeyRef() != null) {
            ConfigMapKeySelector ref = source.getConfigMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            return keyValue(configMapData(ref.getName(), optional), "ConfigMap", ref.getName(), ref.getKey(), optional);
        }
        if (source.getFieldRef() != null) {
            return fieldValue(source.getFieldRef());
        }
        // resourceFieldRef needs the node's allocatable resources; there is no node here.
        return "";
    }

    /**
     * One key of a Secret's or ConfigMap's data (null when the object is missing and optional), with a kubelet's error
     * for a missing key that is not optional.
     */
    private String keyValue(Map<String, String> data, String kind, String name, String key, boolean optional)
            throws ContainerStartError {
        if (data == null) {
            return null;
        }
        String value = data.get(key);
        if (value == null && !optional) {
            throw ContainerStartError.config("couldn't find key " + key + " in " + kind + " " + namespace() + "/" + name);
        }
        return value;
    }

    /** The Secret's data, or null when it is missing and optional. */
    private Map<String, String> secretData(String name, boolean optional) throws ContainerStartError {
        Secret secret = client.secrets().inNamespace(namespace()).withName(name).get();
        if (secret == null && !optional) {
            throw ContainerStartError.config("secret \"" + name + "\" not found");
        }
        return secret == null ? null : secretData(secret);
    }

    /** The ConfigMap's data (empty when it has none), or null when it is missing and optional. */
    private Map<String, String> configMapData(String name, boolean optional) throws ContainerStartError {
        ConfigMap map = client.configMaps().inNamespace(namespace()).withName(name).get();
        if (map == null && !optional) {
            throw ContainerStartError.config("configmap \"" + name + "\" not found");
        }
        return map == null ? null : map.getData() == null ? Map.of() : map.getData();
    }

    /**
     * A real API server turns stringData into data on write; the mock server keeps stringData as sent. Reading both
     * (data winning, as on a real server) makes the fixture work on either.
     */
    private static Map<String, String> secretData(Secret secret) {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k,
                    new String(Base64.getDecoder().decode(v == null ? "" : v), StandardCharsets.UTF_8)));
        }
        return values;
    }

    private String fieldValue(ObjectFieldSelector selector) {
        String path = selector.getFieldPath() == null ? "" : selector.getFieldPath();
        Matcher entry = FIELD_MAP_ENTRY.matcher(path);
        if (entry.matches()) {
            Map<String, String> map = entry.group(1).equals("labels")
                    ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(entry.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> namespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.serviceAccountName" -> String.valueOf(pod.getSpec().getServiceAccountName());
            case "spec.nodeName" -> TestKubelet.NODE_NAME;
            case "status.hostIP", "status.podIP" -> "127.0.0.1";
            default -> "";
        };
    }
}
