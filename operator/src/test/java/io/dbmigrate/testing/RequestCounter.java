package io.dbmigrate.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CRUD mock (with its SelfSubjectRulesReview answer, all rules, for leader election's start-up check), noting
 * every HTTP request it is sent, but those whose User-Agent is {@code ignoredAgent}: the benchmark's own fixtures. A
 * watch is one request when it opens, however long it then streams.
 */
final class RequestCounter extends Dispatcher {
    /** One request: when (System.nanoTime()), and what, as {@link #kind} names it. */
    record Request(long at, String kind) {
    }

    private static final List<ResourceRule> ALL = List.of(new ResourceRuleBuilder().withApiGroups("*")
            .withResources("*").withVerbs("*").build());

    private final Dispatcher crud = new RulesReviewingCrudDispatcher(namespace -> ALL);
    private final String ignoredAgent;
    private final List<Request> requests = new ArrayList<>();

    RequestCounter(String ignoredAgent) {
        this.ignoredAgent = ignoredAgent;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String agent = request.getHeader("User-Agent");
        if (agent == null || !agent.startsWith(ignoredAgent)) {
            synchronized (requests) {
                requests.add(new Request(System.nanoTime(), kind(request.getMethod(), request.getPath())));
            }
        }
        return crud.dispatch(request);
    }

    /** The requests noted from {@code from} (System.nanoTime()) on, before {@code to}. */
    List<Request> between(long from, long to) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.at() >= from && r.at() < to).toList();
        }
    }

    /** How many of each kind, sorted by kind. */
    static Map<String, Integer> byKind(List<Request> requests) {
        Map<String, Integer> counts = new TreeMap<>();
        requests.forEach(r -> counts.merge(r.kind(), 1, Integer::sum));
        return counts;
    }

    /**
     * "METHOD resource[/subresource] (list|get|watch)": the verb as an API server's audit log would name it, e.g.
     * "GET secrets get", "GET databasemigrations list", "GET jobs watch", "PATCH databasemigrations/status",
     * "PUT leases".
     */
    static String kind(String method, String path) {
        int q = path.indexOf('?');
        String query = q < 0 ? "" : path.substring(q + 1);
        List<String> parts = new ArrayList<>(List.of(path.substring(0, q < 0 ? path.length() : q).split("/")));
        parts.removeIf(String::isEmpty);
        // /api/v1/... or /apis/group/version/...; then optionally namespaces/<ns>; then resource[/name[/sub]].
        int at = parts.isEmpty() ? 0 : "api".equals(parts.get(0)) ? 2 : 3;
        if (parts.size() > at + 1 && "namespaces".equals(parts.get(at)) && parts.size() > at + 2) {
            at += 2;
        }
        if (parts.size() <= at) {
            return method + " " + String.join("/", parts);
        }
        String resource = parts.get(at);
        boolean named = parts.size() > at + 1;
        String sub = parts.size() > at + 2 ? "/" + parts.get(at + 2) : "";
        String verb = !"GET".equals(method) ? "" : query.contains("watch=true") ? " watch" : named ? " get" : " list";
        return method + " " + resource + sub + verb;
    }
}
