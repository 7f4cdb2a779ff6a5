package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.faults.Fault;
import io.hyphae.membership.faults.FaultRule;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.testkit.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RPC after a node rejoins in place: three real nodes (Netty on 127.0.0.1, one JVM) with short
 * heartbeat and suspicion timeouts; c is cut off with the fault injector until the others
 * declare it down, then the cut heals and c rejoins as its next incarnation. From then on RPC
 * must stamp, target and order everything with c's new identity.
 */
class RejoinIdentityTest {

    private static final String SECRET = "rejoin-identity-test-secret-0123456789";
    private static final Endpoint<String, String> WHO_CALLS = Endpoint.of("who-calls", RpcCodec.utf8());
    private static final Topic<String> SEQ = Topic.of("seq", RpcCodec.utf8());
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final int CASTS_EACH_SIDE = 50;

    private final TransportResources resources = TransportResources.create(2);
    private final List<Rpc> nodes = new ArrayList<>();
    /** Per receiving node name: the casts it handled, as "sender-name:text". */
    private final Map<String, Queue<String>> casts = new LinkedHashMap<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(Rpc::close);
        resources.close();
    }

    private Rpc start(String name, int port, List<Integer> seeds) {
        HyphaeConfig config = HyphaeConfig.builder()
                .cluster(c -> c.name("rejoin-identity").secret(SECRET))
                .node(n -> n.name(name).bind("127.0.0.1:" + port))
                .discovery("static", d -> d.set("seeds", seeds.stream().map(p -> "127.0.0.1:" + p).toList()))
                .transport(t -> t.heartbeatInterval(Duration.ofMillis(200)).heartbeatTimeout(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofSeconds(1)).handshakeTimeout(Duration.ofSeconds(1))
                        .closeTimeout(Duration.ofMillis(500)))
                .overlay(o -> o.shuffleInterval(Duration.ofSeconds(1)).neighborTimeout(Duration.ofMillis(500)))
                .directory(d -> d.suspicionTimeout(Duration.ofSeconds(1)).antiEntropyInterval(Duration.ofMillis(500)))
                .build();
        Queue<String> handled = new ConcurrentLinkedQueue<>();
        casts.put(name, handled);
        Rpc rpc = Rpc.start(config, RpcConfig.defaults(), new SimpleMeterRegistry(), resources, r -> {
            r.register(WHO_CALLS, (caller, q) -> caller.toString());
            r.subscribe(SEQ, (sender, m) -> handled.add(sender.name() + ":" + m));
        });
        nodes.add(rpc);
        return rpc;
    }

    private Set<NodeId> currentIds() {
        return nodes.stream().map(n -> n.node().self()).collect(Collectors.toSet());
    }

    private boolean everyoneSeesEveryone() {
        Set<NodeId> ids = currentIds();
        return nodes.stream().allMatch(n -> n.node().liveMembers().equals(ids));
    }

    /**
     * Every node has a link up to every other node's current incarnation: the rejoins are over.
     * Until then a dial may still end in a handshake begun before a node's rejoin, which answers
     * with its old identity (a transport race, docs/rpc.md), and a call made in that moment is
     * answered UNREACHABLE (link lost).
     */
    private boolean everyoneLinkedToEveryone() {
        Set<NodeId> ids = currentIds();
        return nodes.stream().allMatch(n -> n.node().transport().links().containsAll(
                ids.stream().filter(id -> !id.equals(n.node().self())).toList()));
    }

    private List<String> castsFromC(Rpc at) {
        return casts.get(at.node().self().name()).stream().filter(s -> s.startsWith("c:")).toList();
    }

    private static List<String> numbered(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("c:" + i);
        }
        return out;
    }

    @Test
    void afterARejoinInPlaceCallsAndCastsUseTheNewIncarnation() {
        // Given a formed cluster of a, b and c, and c's first casts delivered everywhere
        List<Integer> ports = FreePorts.tcp(3);
        Rpc a = start("a", ports.get(0), ports);
        Rpc b = start("b", ports.get(1), ports);
        Rpc c = start("c", ports.get(2), ports);
        await().atMost(WAIT).until(this::everyoneSeesEveryone);
        NodeId before = c.self();
        for (int i = 0; i < CASTS_EACH_SIDE; i++) {
            c.abcast(SEQ, Integer.toString(i));
        }
        await().atMost(WAIT).until(() -> castsFromC(a).size() == CASTS_EACH_SIDE && castsFromC(b).size() == CASTS_EACH_SIDE);

        // When c is cut off from everyone past the suspicion timeout, and the cut then heals
        List<FaultRule> cut = nodes.stream().map(n -> n.node().faults().add(Fault.Partition.isolate(Set.of("c")))).toList();
        await().atMost(WAIT).until(() -> !a.node().liveMembers().contains(before) && !b.node().liveMembers().contains(before));
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).node().faults().remove(cut.get(i).id());
        }

        // Then c rejoins as its next incarnation, and every node sees every current incarnation
        await().atMost(WAIT).until(() -> c.node().self().incarnation() > before.incarnation() && everyoneSeesEveryone()
                && everyoneLinkedToEveryone());
        NodeId after = c.node().self();
        assertThat(after.sameNodeAs(before)).isTrue();
        // (c's view of the cluster may have declared the others down too, so they may have
        // rejoined as well: every node's RPC layer must say what its node says)
        for (Rpc n : nodes) {
            assertThat(n.self()).isEqualTo(n.node().self());
        }

        // ... a multicall from c reaches every node, lists c under its new id, and every handler
        // saw the call come from that new id
        MulticallResult<String> fromC = c.multicall(WHO_CALLS, "?", CALL_TIMEOUT);
        assertThat(fromC.badNodes()).isEmpty();
        assertThat(fromC.replies().keySet()).isEqualTo(currentIds()).contains(after).doesNotContain(before);
        assertThat(fromC.replies().values()).containsOnly(after.toString());

        // ... a call from each other node to c, and their multicalls to all, get answers from c's new id
        for (Rpc other : List.of(a, b)) {
            assertThat(other.call(after, WHO_CALLS, "?", CALL_TIMEOUT)).isEqualTo(other.node().self().toString());
            MulticallResult<String> all = other.multicall(WHO_CALLS, "?", CALL_TIMEOUT);
            assertThat(all.badNodes()).isEmpty();
            assertThat(all.replies().keySet()).isEqualTo(currentIds());
        }

        // ... and c's casts after the rejoin reach every node after its earlier ones: each once, in order
        for (int i = CASTS_EACH_SIDE; i < 2 * CASTS_EACH_SIDE; i++) {
            c.abcast(SEQ, Integer.toString(i));
        }
        // (c is a target of its own abcast too, and handles its own casts the same way)
        List<String> expected = numbered(0, 2 * CASTS_EACH_SIDE);
        for (Rpc receiver : nodes) {
            await().atMost(WAIT).until(() -> castsFromC(receiver).size() >= expected.size());
            assertThat(castsFromC(receiver)).as("casts from c at %s", receiver.node().self()).containsExactlyElementsOf(expected);
        }
    }
}
