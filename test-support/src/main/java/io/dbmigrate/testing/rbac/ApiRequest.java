package io.dbmigrate.testing.rbac;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One Kubernetes API request in RBAC's terms: the verb (get, list and watch told apart as the API server does),
 * API group, resource (with /subresource), namespace (null: cluster-wide) and object name (null: a collection).
 * A request outside /api and /apis (discovery, /version) has resource null and {@code nonResourcePath} set.
 */
public record ApiRequest(String verb, String group, String resource, String namespace, String name, String nonResourcePath) {

    public static ApiRequest of(String method, URI uri) {
        List<String> path = Arrays.stream(uri.getRawPath().split("/")).filter(s -> !s.isEmpty()).toList();
        boolean watch = Optional.ofNullable(uri.getRawQuery()).map(q -> Arrays.asList(q.split("&")))
                .map(params -> params.contains("watch=true") || params.contains("watch=1")).orElse(false);
        int start;
        String group;
        if (path.size() >= 2 && path.get(0).equals("api")) {
            group = "";
            start = 2;
        } else if (path.size() >= 3 && path.get(0).equals("apis")) {
            group = path.get(1);
            start = 3;
        } else {
            return new ApiRequest(method.toLowerCase(java.util.Locale.ROOT), null, null, null, null, uri.getRawPath());
        }
        List<String> rest = path.subList(start, path.size());
        if (rest.isEmpty()) {
            return new ApiRequest(method.toLowerCase(java.util.Locale.ROOT), null, null, null, null, uri.getRawPath());
        }
        String namespace = null;
        // /namespaces/NS/RESOURCE...: namespaced; /namespaces or /namespaces/NAME alone: the Namespace objects.
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0);
        String name = rest.size() >= 2 ? rest.get(1) : null;
        if (rest.size() >= 3) {
            resource = resource + "/" + rest.get(2);
        }
        String verb = switch (method) {
            case "GET", "HEAD" -> name != null ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        return new ApiRequest(verb, group, resource, namespace, name, null);
    }

    @Override
    public String toString() {
        if (resource == null) {
            return verb + " " + nonResourcePath;
        }
        return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                + (name == null ? "" : " " + name) + (namespace == null ? " (cluster-wide)" : " in " + namespace);
    }
}
