package io.hyphae.examples.admin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/** Sends signed admin requests to a node's admin channel on 127.0.0.1. */
public final class AdminClient {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int port;
    private final AdminAuthenticator auth;
    private final Clock clock;
    // One client for the process: each HttpClient starts a selector thread of its own.
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public AdminClient(int port, AdminAuthenticator auth, Clock clock) {
        this.port = port;
        this.auth = auth;
        this.clock = clock;
    }

    /** The node's answer: HTTP status and text. */
    public record Reply(int status, String text) {
        public boolean ok() {
            return status == 200;
        }

        /** The lines of the text that start with {@code prefix + " "}, without it. */
        public List<String> lines(String prefix) {
            return text.lines().filter(l -> l.startsWith(prefix + " ")).map(l -> l.substring(prefix.length() + 1)).toList();
        }
    }

    /** Thrown when the admin channel cannot be reached at all. */
    public static final class UnreachableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Reply send(String command, List<String> args) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        byte[] body = AdminRequest.JSON.encode(new AdminRequest(command, args, clock.millis(), HexFormat.of().formatHex(nonce)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin"))
                .timeout(AdminCommands.MULTICALL_TIMEOUT.plusSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        auth.sign(body).ifPresent(s -> request.header(AdminAuthenticator.SIGNATURE_HEADER, s));
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (ConnectException e) {
            throw new UnreachableException("no node's admin channel on 127.0.0.1:" + port
                    + " (is the node running on this machine? --admin-port?)", e);
        } catch (IOException e) {
            throw new UnreachableException("admin channel on 127.0.0.1:" + port + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted", e);
        }
    }
}
