package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import io.hyphae.membership.HostAndPort;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three node processes, each in its own network namespace with one veth whose other end sits on
 * a bridge in a fourth namespace, gossip by multicast over those real interfaces, over IPv4 and
 * over IPv6. The addresses (10.213.0.0/24, fd13:213::/64) exist only inside the namespaces this
 * test creates and deletes.
 *
 * <p>Needs root and iproute2: skipped without them, except under CI=true, where it fails.
 */
class GossipAcrossNamespacesTest {

    private static final String PREFIX = "hyg" + ProcessHandle.current().pid() % 100_000;
    private static final String BRIDGE_NS = PREFIX + "-br";
    private static final int NODES = 3;
    private static final int GOSSIP_PORT = 7947;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final List<String> namespaces = new ArrayList<>();
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private static String ip;

    /** A node process and the seeds it last printed. */
    private record NodeProcess(String address, Process process, AtomicReference<Set<String>> seeds) {
    }

    @BeforeAll
    static void createNamespaces() throws Exception {
        ip = Arrays.asList("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream()
                .filter(p -> new File(p).canExecute()).findFirst().orElse(null);
        requireCapability(ip != null, "iproute2's 'ip' is not installed (scripts/install-test-deps.sh installs it)");
        requireCapability("root".equals(System.getProperty("user.name")), "creating network namespaces needs root");

        run(ip, "netns", "add", BRIDGE_NS);
        namespaces.add(BRIDGE_NS);
        run(ip, "-n", BRIDGE_NS, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        run(ip, "-n", BRIDGE_NS, "link", "set", "br0", "up");
        for (int i = 1; i <= NODES; i++) {
            String ns = PREFIX + "-n" + i;
            run(ip, "netns", "add", ns);
            namespaces.add(ns);
            run(ip, "-n", BRIDGE_NS, "link", "add", "v" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
            run(ip, "-n", BRIDGE_NS, "link", "set", "v" + i, "master", "br0", "up");
            run(ip, "-n", ns, "addr", "add", ipv4(i) + "/24", "dev", "eth0");
            // nodad: usable at once, instead of after duplicate address detection
            run(ip, "-n", ns, "addr", "add", ipv6(i) + "/64", "dev", "eth0", "nodad");
            run(ip, "-n", ns, "link", "set", "eth0", "up");
            run(ip, "-n", ns, "link", "set", "lo", "up");
        }
    }

    private static String ipv4(int node) {
        return "10.213.0." + (10 + node);
    }

    private static String ipv6(int node) {
        return "fd13:213::" + (10 + node);
    }

    /** Skips the test with {@code reason}, or fails it under CI, where every test must run. */
    private static void requireCapability(boolean present, String reason) {
        if (!present && "true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true but " + reason);
        }
        Assumptions.assumeTrue(present, reason);
    }

    private void startNodes(String group, IntFunction<String> address) throws IOException {
        for (int i = 1; i <= NODES; i++) {
            startNode(PREFIX + "-n" + i, "node-" + i, address.apply(i), group);
        }
    }

    private void startNode(String ns, String name, String address, String group) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Path.of("target", "namespace-" + name + "-" + group.replace(':', '_') + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(ip, "netns", "exec", ns, java, "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), GossipNodeMain.class.getName(), name, address, String.valueOf(GOSSIP_PORT), group)
                .redirectError(log.toFile());
        pb.environment().put("HYPHAE_SECRET", "namespace-test-secret-0123");
        Process process = pb.start();
        NodeProcess node = new NodeProcess(address, process, new AtomicReference<>(Set.of()));
        nodes.put(name, node);
        Thread reader = new Thread(() -> readSeeds(node), "seeds-of-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private static void readSeeds(NodeProcess node) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.process().getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("SEEDS ")) {
                    String list = line.substring(6).trim();
                    node.seeds().set(list.isEmpty() ? Set.of() : Set.of(list.split(",")));
                }
            }
        } catch (IOException e) {
            // the process ended; its last seeds stay as they were
        }
    }

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (NodeProcess node : nodes.values()) {
            node.process().destroy();
            if (!node.process().waitFor(5, TimeUnit.SECONDS)) {
                node.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @AfterAll
    static void deleteNamespaces() throws Exception {
        for (String ns : namespaces) {
            // Deleting a namespace deletes the veth ends and the bridge inside it.
            new ProcessBuilder(ip, "netns", "del", ns).inheritIO().start().waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static String seed(String address) {
        return new HostAndPort(address, 7000).toString();
    }

    private Set<String> seedsOthersThan(String self) {
        return nodes.values().stream().map(NodeProcess::address).filter(a -> !a.equals(self))
                .map(GossipAcrossNamespacesTest::seed).collect(Collectors.toSet());
    }

    @Test
    void nodesInSeparateNamespacesFindEachOtherByMulticastAndNoticeOneLeaving() throws Exception {
        // Given three node processes, one per namespace, bridged together
        startNodes(GossipSettings.DEFAULT_GROUP, GossipAcrossNamespacesTest::ipv4);

        // Then each one finds the other two over its veth
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (NodeProcess node : nodes.values()) {
                assertThat(node.seeds().get()).as("seeds of %s", node.address()).isEqualTo(seedsOthersThan(node.address()));
            }
        });

        // When node-3 leaves
        NodeProcess leaving = nodes.get("node-3");
        leaving.process().getOutputStream().close();
        assertThat(leaving.process().waitFor(10, TimeUnit.SECONDS)).isTrue();

        // Then the other two drop it and keep each other
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(nodes.get("node-1").seeds().get()).containsExactly(seed(nodes.get("node-2").address()));
            assertThat(nodes.get("node-2").seeds().get()).containsExactly(seed(nodes.get("node-1").address()));
        });
    }

    @Test
    void nodesFindEachOtherOverAnIpv6LinkLocalGroup() throws Exception {
        // Given three node processes advertising IPv6 addresses, gossiping to ff02::7947
        startNodes("ff02::7947", GossipAcrossNamespacesTest::ipv6);

        // Then each one finds the other two
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (NodeProcess node : nodes.values()) {
                assertThat(node.seeds().get()).as("seeds of %s", node.address()).isEqualTo(seedsOthersThan(node.address()));
            }
        });
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.trim());
        }
    }
}
