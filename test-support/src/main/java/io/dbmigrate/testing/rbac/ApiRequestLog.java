package io.dbmigrate.testing.rbac;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A fabric8 client interceptor that keeps every API request its client sends (watches, which are WebSocket
 * upgrades, included): put on the operator's own client only, it records what the operator needs RBAC for.
 */
public final class ApiRequestLog implements Interceptor {
    public static final String NAME = "dbmigrate-api-request-log";

    private final Set<ApiRequest> requests = new LinkedHashSet<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        ApiRequest seen = ApiRequest.of(request.method(), request.uri());
        synchronized (requests) {
            requests.add(seen);
        }
    }

    /** The distinct requests seen so far. */
    public Set<ApiRequest> requests() {
        synchronized (requests) {
            return Set.copyOf(requests);
        }
    }
}
