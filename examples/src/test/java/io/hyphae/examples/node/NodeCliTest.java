package io.hyphae.examples.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.testkit.ChildProcess;
import io.hyphae.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hyphae-node} as an operator uses it: real node processes, their HTTP endpoints and the admin command. */
class NodeCliTest {

    private static final String SECRET = "node-cli-test-secret-0123456789";
    private final List<ChildProcess> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @AfterEach
    void stopNodes() {
        processes.forEach(ChildProcess::close);
    }

    @Test
    void aBadConfigFileExitsWith2AndTheConfigMessage() throws IOException {
        // Given a file with a misspelt key
        Path file = Files.writeString(dir.resolve("bad.yaml"), "cluster:\n  insecure-dev-mode: true\noverlay:\n  active-view-sise: 3\n");

        // When hyphae-node runs it
        Result result = run("--config", file.toString());

        // Then it exits 2 naming the file, the key and the nearest known key
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).startsWith("hyphae-node: ").contains("bad.yaml").contains("active-view-sise")
                .contains("active-view-size");
    }

    @Test
    void badUsageExitsWith2AndHelpWith0() {
        assertThat(run("--config").code()).isEqualTo(2);
        assertThat(run("admin", "--config", "x.yaml", "frobnicate").err()).contains("unknown admin command 'frobnicate'");
        assertThat(run("admin", "--config", "x.yaml", "faults").err()).contains("admin faults takes list, add RULE, remove ID or clear");
        Result help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("usage: hyphae-node --config FILE");
    }

    @Test
    void aTakenPortExitsWith1AndSaysWhichAndWhy() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            // Given the node's own port is taken
            Result node = run("--config", config("taken", taken.getLocalPort(), List.of()).toString(), "--http", "127.0.0.1:0");
            assertThat(node.code()).isEqualTo(1);
            assertThat(node.err()).contains("cannot start").contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());

            // Given the HTTP port is taken
            Result web = run("--config", config("web", FreePorts.tcp(), List.of()).toString(), "--http",
                    "127.0.0.1:" + taken.getLocalPort(), "--admin-port", "0");
            assertThat(web.code()).isEqualTo(1);
            assertThat(web.err()).contains("cannot bind the http port");
        }
    }

    @Test
    void servesHealthMetricsAndAnAdminChannelOnlyForHoldersOfTheSecret() throws Exception {
        // Given node a alone (its seed b not running yet)
        int portA = FreePorts.tcp();
        int portB = FreePorts.tcp();
        List<Integer> both = List.of(portA, portB);
        ChildProcess a = start("a", config("a", portA, both));
        String readyA = await().atMost(Duration.ofSeconds(30)).until(() -> a.firstLine(l -> l.startsWith("@event ready")), o -> o.isPresent()).orElseThrow();
        int httpA = Integer.parseInt(readyA.replaceAll(".* http=(\\d+).*", "$1"));
        int adminA = Integer.parseInt(readyA.replaceAll(".* admin=(\\d+).*", "$1"));

        // Then it is live but not ready: it has not joined anyone
        assertThat(get(httpA, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(httpA, "/health/ready").statusCode()).isEqualTo(503);

        // When b starts, a becomes ready
        start("b", config("b", portB, both));
        await().atMost(Duration.ofSeconds(30)).until(() -> get(httpA, "/health/ready").statusCode() == 200);

        // and /metrics shows the node's meters in Prometheus' format
        String metrics = get(httpA, "/metrics").body();
        assertThat(metrics).contains("hyphae_overlay_active{node=\"a\"} 1.0").contains("hyphae_members{node=\"a\",status=\"alive\"}")
                .contains("# TYPE hyphae_rpc_multicall_latency_seconds");

        // The admin command, with the cluster's secret, lists both members and calls both
        String adminPort = Integer.toString(adminA);
        await().atMost(Duration.ofSeconds(30)).until(() -> run("admin", "--config", config("a", portA, both).toString(),
                "--admin-port", adminPort, "members").out().lines().filter(l -> l.endsWith(" ALIVE")).count() == 2);
        Result multicall = run("admin", "--config", config("a", portA, both).toString(), "--admin-port", adminPort,
                "multicall", "echo", "ping");
        assertThat(multicall.code()).isZero();
        assertThat(multicall.out()).contains(" a: ping").contains(" b: ping");

        // but with another secret it is refused
        Path intruder = Files.writeString(dir.resolve("intruder.yaml"),
                "cluster:\n  secret: not-the-cluster-secret-at-all\nnode:\n  bind: 127.0.0.1:" + portA + "\n");
        Result refused = run("admin", "--config", intruder.toString(), "--admin-port", adminPort, "members");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("HTTP 401").contains("bad signature");
        assertThat(refused.out()).isEmpty();
    }

    @Test
    void theAdminCommandSaysSoWhenNoNodeListens() throws IOException {
        int port = FreePorts.tcp();
        Result result = run("admin", "--config", config("nobody", port, List.of()).toString(), "--admin-port",
                Integer.toString(FreePorts.tcp()), "members");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("no node's admin channel on 127.0.0.1:");
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = NodeMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private ChildProcess start(String name, Path config) {
        ChildProcess p = ChildProcess.startJava(name, System.getProperty("java.class.path"), List.of("-XX:TieredStopAtLevel=1"),
                NodeMain.class.getName(), List.of("--config", config.toString(), "--http", "127.0.0.1:0", "--admin-port", "0", "--events"),
                Map.of(), ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()), line -> { });
        processes.add(p);
        return p;
    }

    private Path config(String name, int port, List<Integer> seeds) throws IOException {
        String discovery = seeds.isEmpty() ? "" : "discovery:\n  - strategy: static\n    seeds: ["
                + String.join(", ", seeds.stream().map(p -> "127.0.0.1:" + p).toList()) + "]\n    poll-interval: 1s\n";
        return Files.writeString(dir.resolve(name + ".yaml"), "cluster:\n  name: cli-test\n  secret: " + SECRET
                + "\nnode:\n  name: " + name + "\n  bind: 127.0.0.1:" + port + "\n" + discovery);
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
