package io.hyphae.examples.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.directory.MemberStatus;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.Rpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code admin faults} over the signed admin channel of two real nodes in this JVM. */
class AdminFaultsTest {

    private static final String SECRET = "admin-faults-test-secret-0123456789";
    private final TransportResources loops = TransportResources.create(1);
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(running); // admin channels before their nodes
        for (AutoCloseable c : running) {
            c.close();
        }
        loops.close();
    }

    @Test
    void addsListsRemovesAndClearsRulesThatCutAndHealTheCluster() throws IOException {
        // Given nodes a and b in one cluster, each with its admin channel
        List<Integer> ports = List.of(freePort(), freePort());
        Rpc a = start("a", ports);
        Rpc b = start("b", ports);
        AdminClient adminA = admin(a);
        AdminClient adminB = admin(b);
        await().atMost(Duration.ofSeconds(20)).until(() -> live(a).equals(Set.of("a", "b")) && live(b).equals(Set.of("a", "b")));

        // When both are told to cut a off from b
        AdminClient.Reply added = adminA.send("faults", List.of("add", "partition", "a", "b"));
        adminB.send("faults", List.of("add", "partition", "a", "b"));

        // Then the rule is listed with its number, and each node suspects the other
        assertThat(added.ok()).isTrue();
        assertThat(added.lines("fault")).containsExactly("1 partition a b");
        assertThat(adminA.send("faults", List.of("list")).lines("fault")).containsExactly("1 partition a b");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(a, "b") == MemberStatus.SUSPECT
                && status(b, "a") == MemberStatus.SUSPECT);

        // When a second rule is added and the first removed, only the second remains
        adminA.send("faults", List.of("add", "delay", "5ms", "to=b"));
        AdminClient.Reply removed = adminA.send("faults", List.of("remove", "1"));
        assertThat(removed.lines("fault")).containsExactly("2 delay 5ms 5ms to=b");

        // When both are cleared (within the suspicion timeout), the two find each other again
        assertThat(adminA.send("faults", List.of("clear")).text()).isEmpty();
        adminB.send("faults", List.of("clear"));
        await().atMost(Duration.ofSeconds(20)).until(() -> status(a, "b") == MemberStatus.ALIVE
                && status(b, "a") == MemberStatus.ALIVE);
        assertThat(a.node().faults().rules()).isEmpty();
    }

    @Test
    void badRulesAreRefusedWithWhatIsWrong() throws IOException {
        Rpc a = start("a", List.of(freePort()));
        AdminClient admin = admin(a);

        assertRefused(admin.send("faults", List.of("add", "drop", "-0.5")), "probability must be within [0, 1], was -0.5");
        assertRefused(admin.send("faults", List.of("add", "partition", "a", "zed")), "unknown node zed (known: a)");
        assertRefused(admin.send("faults", List.of("add", "delay", "soon")), "expected a duration such as 50ms or 2s, got 'soon'");
        assertRefused(admin.send("faults", List.of("add", "frobnicate", "1")), "unknown fault 'frobnicate'");
        assertRefused(admin.send("faults", List.of("add", "drop", "1", "sideways")), "unexpected 'sideways'");
        assertRefused(admin.send("faults", List.of("remove", "7")), "no rule 7");
        assertRefused(admin.send("faults", List.of("shuffle")), "expected list, add RULE, remove ID or clear");
        assertThat(a.node().faults().rules()).isEmpty();
    }

    private static void assertRefused(AdminClient.Reply reply, String message) {
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.text()).contains(message);
    }

    private static Set<String> live(Rpc rpc) {
        return rpc.node().liveMembers().stream().map(NodeId::name).collect(Collectors.toSet());
    }

    private static MemberStatus status(Rpc rpc, String name) {
        return rpc.node().members().stream().filter(m -> m.id().name().equals(name)).map(Member::status).findFirst()
                .orElseThrow();
    }

    private Rpc start(String name, List<Integer> ports) {
        int port = ports.get(name.equals("a") ? 0 : 1);
        HyphaeConfig config = HyphaeConfig.builder()
                .cluster(c -> c.name("admin-faults").secret(SECRET))
                .node(n -> n.name(name).bind("127.0.0.1:" + port))
                .discovery("static", d -> d.set("seeds", ports.stream().map(p -> "127.0.0.1:" + p).toList())
                        .set("poll-interval", "200ms"))
                .transport(t -> t.heartbeatInterval(Duration.ofMillis(200)).heartbeatTimeout(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofSeconds(1)).handshakeTimeout(Duration.ofSeconds(1))
                        .closeTimeout(Duration.ofMillis(500)))
                .overlay(o -> o.shuffleInterval(Duration.ofSeconds(1)).neighborTimeout(Duration.ofMillis(500)))
                // Longer than the test's cut: a node declared DOWN stays down until it restarts.
                .directory(d -> d.suspicionTimeout(Duration.ofMinutes(1)).antiEntropyInterval(Duration.ofMillis(500)))
                .build();
        Rpc rpc = Rpc.start(config, new SimpleMeterRegistry(), loops);
        running.add(rpc);
        return rpc;
    }

    private AdminClient admin(Rpc rpc) throws IOException {
        AdminAuthenticator auth = new AdminAuthenticator(Optional.of(ClusterSecret.of(SECRET)), Clock.systemUTC());
        AdminServer server = AdminServer.start(0, auth, new AdminCommands(rpc));
        running.add(server);
        return new AdminClient(server.address().getPort(), auth, Clock.systemUTC());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
