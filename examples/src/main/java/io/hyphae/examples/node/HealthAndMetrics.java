package io.hyphae.examples.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hyphae.membership.HostAndPort;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The node's HTTP endpoints, on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code /metrics}: every meter in Prometheus' text format;</li>
 *   <li>{@code /health/live}: 200 while the process serves (a liveness probe restarts a hung JVM);</li>
 *   <li>{@code /health/ready}: 200 once the node has joined (has an overlay neighbour), 503 before
 *       and after it left, so a readiness probe holds traffic until the node is in the cluster.</li>
 * </ul>
 */
public final class HealthAndMetrics implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthAndMetrics(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** @throws IOException when {@code bind} cannot be bound */
    public static HealthAndMetrics start(HostAndPort bind, PrometheusMeterRegistry registry, BooleanSupplier joined)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind.host(), bind.port()), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hyphae-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
        server.createContext("/health/live", exchange -> respond(exchange, 200, "text/plain", "live\n"));
        server.createContext("/health/ready", exchange -> {
            boolean ready = joined.getAsBoolean();
            respond(exchange, ready ? 200 : 503, "text/plain", ready ? "ready: joined\n" : "not ready: not joined\n");
        });
        server.start();
        return new HealthAndMetrics(server, executor);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        // A context matches every path it prefixes; only the exact path is this endpoint.
        if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
            status = 404;
            contentType = "text/plain";
            text = "no such endpoint: try /metrics, /health/live, /health/ready\n";
        }
        try (exchange) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
