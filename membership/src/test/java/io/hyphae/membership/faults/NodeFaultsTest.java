package io.hyphae.membership.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.directory.MemberStatus;
import io.hyphae.membership.faults.Fault.Drop;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.testkit.LocalCluster;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault injector under a whole node: five real nodes a..e on 127.0.0.1 (fixed seeds), faults
 * added through {@link HyphaeNode#faults()}, and what the overlay, the directory and Plumtree
 * make of them.
 */
class NodeFaultsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final List<String> NAMES = List.of("a", "b", "c", "d", "e");
    private final LocalCluster cluster = new LocalCluster("faults-test");
    private final Map<String, HyphaeNode> nodes = new ConcurrentHashMap<>();

    @BeforeEach
    void fiveNodes() {
        List<Integer> ports = NAMES.stream().map(n -> LocalCluster.freePort("127.0.0.1")).toList();
        List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        for (int i = 0; i < NAMES.size(); i++) {
            // A suspicion timeout longer than any cut here: a node declared DOWN stays down until restarted.
            nodes.put(NAMES.get(i), cluster.start(NAMES.get(i), seeds.get(i), b -> b.discovery("fixed", d -> d.set("seeds", seeds)),
                    b -> b.directory(d -> d.suspicionTimeout(Duration.ofMinutes(2)))));
        }
        cluster.awaitComplete(PATIENCE);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aPartitionMakesEachSideSuspectTheOtherAndHealingBringsTheDirectoriesBackTogether() {
        // Given every node cuts {a, b} off from {c, d, e}
        Partition cut = Partition.between(Set.of("a", "b"), Set.of("c", "d", "e"));
        nodes.values().forEach(n -> n.faults().add(cut));

        // Then each side suspects every node of the other, and not its own
        await().atMost(PATIENCE).untilAsserted(() -> {
            for (String name : NAMES) {
                Set<String> otherSide = cut.side().contains(name) ? cut.other() : cut.side();
                Map<String, MemberStatus> seen = statuses(nodes.get(name));
                for (String peer : NAMES) {
                    assertThat(seen.get(peer)).as("%s sees %s", name, peer)
                            .isEqualTo(otherSide.contains(peer) ? MemberStatus.SUSPECT : MemberStatus.ALIVE);
                }
            }
        });

        // When the cut is healed everywhere
        nodes.values().forEach(n -> n.faults().clear());

        // Then every directory lists all five ALIVE again, the overlay is whole, and nobody was reported down
        await().atMost(PATIENCE).untilAsserted(() -> {
            for (HyphaeNode n : nodes.values()) {
                assertThat(statuses(n)).as("directory of %s", n.self().name()).containsOnlyKeys(NAMES)
                        .allSatisfy((peer, status) -> assertThat(status).isEqualTo(MemberStatus.ALIVE));
            }
        });
        cluster.awaitComplete(PATIENCE);
        cluster.running().forEach(n -> assertThat(cluster.events(n)).noneMatch(e -> e.startsWith("down")));
    }

    @Test
    void droppingEveryFrameOnOneLinkFailsItsHeartbeatAndTheOverlayRepairsAroundIt() {
        // Given a drops everything it sends to one of its neighbours
        HyphaeNode a = nodes.get("a");
        NodeId neighbour = a.activeView().iterator().next();
        HyphaeNode b = cluster.running().stream().filter(n -> n.self().equals(neighbour)).findFirst().orElseThrow();
        a.faults().add(new Drop(Links.from("a", neighbour.name()), 1));

        // Then the neighbour closes that link for a heartbeat timeout
        await().atMost(PATIENCE).until(() -> linksDown(b, "heartbeat_timeout") >= 1);

        // and the cluster keeps serving around it: every node has a neighbour, every directory
        // lists all five as live, and a broadcast reaches all of them
        await().atMost(PATIENCE).until(() -> nodes.values().stream().allMatch(n -> n.joined() && n.liveMembers().size() == 5));
        cluster.awaitBroadcastReachesEveryone(PATIENCE);

        // When the rule is cleared, the cluster settles complete again
        a.faults().clear();
        cluster.awaitComplete(PATIENCE);
    }

    @Test
    void duplicatedBroadcastFramesReachTheTransportButPlumtreeDeliversEachOnce() {
        // Given every node sends each Plumtree frame twice
        nodes.values().forEach(n -> n.faults().add(FaultSyntax.parse("duplicate 1 protocol=plumtree")));
        int channel = Channels.FIRST_APPLICATION_CHANNEL;
        Map<String, List<String>> delivered = new ConcurrentHashMap<>();
        nodes.forEach((name, n) -> {
            List<String> got = new CopyOnWriteArrayList<>();
            delivered.put(name, got);
            n.subscribe(channel, (origin, payload) -> got.add(new String(payload, java.nio.charset.StandardCharsets.UTF_8)));
        });
        nodes.values().forEach(HyphaeNode::activeView); // subscriptions and fault handlers are in place once a query returns
        double inBefore = total("hyphae.transport.frames.in");
        double outBefore = total("hyphae.transport.frames.out");

        // When a broadcasts twenty messages
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add("m" + i);
            nodes.get("a").broadcast(channel, ("m" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        // Then every gossip frame arrives twice, and once every node has had all twenty and every
        // frame sent has arrived (twice), every node delivered each message once. (Frames in =
        // 2 × frames out alone also holds between two hops of the tree, before all is sent.)
        await().atMost(PATIENCE).until(() -> delivered.values().stream().allMatch(got -> got.size() >= sent.size())
                && total("hyphae.transport.frames.in") - inBefore == 2 * (total("hyphae.transport.frames.out") - outBefore));
        nodes.values().forEach(HyphaeNode::activeView); // let each node's loop finish what arrived
        delivered.forEach((name, got) -> assertThat(got).as("delivered at %s", name).containsExactlyInAnyOrderElementsOf(sent));
    }

    @Test
    void aRuleNamingANodeOutsideTheDirectoryIsRefused() {
        assertThatThrownBy(() -> nodes.get("a").faults().add(Partition.isolate(Set.of("zed"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown node zed (known: a, b, c, d, e)");
        assertThat(nodes.get("a").faults().rules()).isEmpty();
    }

    private static Map<String, MemberStatus> statuses(HyphaeNode n) {
        return n.members().stream().collect(Collectors.toMap(m -> m.id().name(), Member::status));
    }

    private double linksDown(HyphaeNode n, String reason) {
        Counter c = cluster.registry(n).find("hyphae.transport.links.down").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** A meter of Plumtree GOSSIP frames, summed over every node. */
    private double total(String name) {
        return cluster.running().stream().mapToDouble(n -> {
            Counter c = cluster.registry(n).find(name).tags("protocol", "PlumtreeMessage", "type", "GOSSIP").counter();
            return c == null ? 0 : c.count();
        }).sum();
    }
}
