package io.dbmigrate.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoints, on the JDK's own server: {@code /healthz} (liveness), {@code /readyz} (start-up and
 * readiness: informers synced and healthy) and {@code /metrics} (Prometheus text format).
 */
public final class OperatorHttpServer implements AutoCloseable {
    public static final int DEFAULT_PORT = 8080;
    /** The Prometheus text exposition format, version 0.0.4: what every Prometheus scrapes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private OperatorHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static OperatorHttpServer start(InetSocketAddress address, OperatorHealth health) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address, e);
        }
        server.createContext("/healthz", exchange -> answer(exchange, () -> health.live() ? ok("ok") : unavailable("stopping")));
        server.createContext("/readyz", exchange -> answer(exchange, () -> health.ready() ? ok("ok") : unavailable("not ready")));
        server.createContext("/metrics", exchange -> answer(exchange, () -> new Reply(200, PROMETHEUS_TEXT, health.scrape())));
        server.createContext("/", exchange -> answer(exchange, () -> new Reply(404, "text/plain", "not found")));
        // Two threads: a probe must not wait behind a slow scrape.
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "dbmigrate-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return new OperatorHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Reply(int status, String contentType, String body) {
    }

    private static Reply ok(String body) {
        return new Reply(200, "text/plain", body);
    }

    private static Reply unavailable(String body) {
        return new Reply(503, "text/plain", body);
    }

    private static void answer(HttpExchange exchange, Supplier<Reply> handler) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            Reply reply = "GET".equals(method) || "HEAD".equals(method) ? handler.get()
                    : new Reply(405, "text/plain", "method not allowed");
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            boolean head = "HEAD".equals(method);
            exchange.sendResponseHeaders(reply.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
