package io.hyphae.examples.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin channel of a node: {@code POST /admin} on 127.0.0.1 only, each request signed with
 * the cluster secret ({@link AdminAuthenticator}). Loopback keeps it off the network; the
 * signature keeps other local users out (anyone who can read the config file can sign).
 *
 * <p>Answers 200 with the command's text, 401 for a request that is not signed with the secret,
 * is old or replayed, 400 for a command it does not know, 500 if the command failed.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0: a free port) and serves.
     *
     * @throws IOException when the port cannot be bound
     */
    public static AdminServer start(int port, AdminAuthenticator auth, AdminCommands commands) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        // Two threads: a multicall may wait for its timeout, and another request should still get in.
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "hyphae-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/admin", exchange -> handle(exchange, auth, commands));
        server.start();
        if (!auth.secured()) {
            log.warn("admin channel on {} accepts unsigned requests: the cluster runs in insecure development mode",
                    server.getAddress());
        }
        return new AdminServer(server, executor);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void handle(HttpExchange exchange, AdminAuthenticator auth, AdminCommands commands) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                respond(exchange, 405, "POST a signed admin request\n");
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                respond(exchange, 413, "request larger than " + MAX_BODY + " bytes\n");
                return;
            }
            Optional<String> signature = Optional.ofNullable(exchange.getRequestHeaders().getFirst(AdminAuthenticator.SIGNATURE_HEADER));
            AdminAuthenticator.Verdict verdict = auth.check(body, signature);
            if (verdict instanceof AdminAuthenticator.Verdict.Accepted accepted) {
                run(exchange, commands, accepted.request());
            } else if (verdict instanceof AdminAuthenticator.Verdict.Refused refused) {
                log.warn("admin request refused from {}: {}", exchange.getRemoteAddress(), refused.reason());
                respond(exchange, 401, refused.reason() + "\n");
            }
        }
    }

    private static void run(HttpExchange exchange, AdminCommands commands, AdminRequest request) throws IOException {
        String reply;
        try {
            reply = commands.run(request);
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, e.getMessage() + "\n");
            return;
        } catch (RuntimeException e) {
            log.warn("admin command {} failed", request.command(), e);
            respond(exchange, 500, request.command() + " failed: " + e + "\n");
            return;
        }
        respond(exchange, 200, reply);
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
