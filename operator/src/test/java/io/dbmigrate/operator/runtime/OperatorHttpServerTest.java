package io.dbmigrate.operator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints on a real socket, answering for an operator whose state the test sets. */
class OperatorHttpServerTest {
    private final AtomicBoolean live = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean(false);
    private final HttpClient http = HttpClient.newHttpClient();
    private OperatorHttpServer server;

    @BeforeEach
    void start() {
        server = OperatorHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new OperatorHealth() {
            @Override
            public boolean live() {
                return live.get();
            }

            @Override
            public boolean ready() {
                return ready.get();
            }

            @Override
            public String scrape() {
                return "dbmigrate_resources{phase=\"Succeeded\"} 1.0\n";
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readinessFollowsTheOperator() throws Exception {
        assertEquals(503, get("/readyz").statusCode());
        ready.set(true);
        assertEquals(200, get("/readyz").statusCode());
    }

    @Test
    void livenessFailsOnceStopping() throws Exception {
        assertEquals(200, get("/healthz").statusCode());
        live.set(false);
        assertEquals(503, get("/healthz").statusCode());
    }

    @Test
    void metricsAreThePrometheusTextFormat() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertEquals(OperatorHttpServer.PROMETHEUS_TEXT, metrics.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("dbmigrate_resources{phase=\"Succeeded\"} 1.0\n", metrics.body());
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        assertEquals(404, get("/").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
