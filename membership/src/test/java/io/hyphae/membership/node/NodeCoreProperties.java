package io.hyphae.membership.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.directory.DirectoryNotification.MemberDown;
import io.hyphae.membership.directory.DirectoryNotification.MemberUp;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.plumtree.MessageId;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.sim.SimConfig;
import io.hyphae.membership.sim.Simulation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.FaultRule;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the whole stack on the simulator; a failing seed replays the same run. */
class NodeCoreProperties {

    static final DirectoryConfig DIRECTORY = new DirectoryConfig(Duration.ofMillis(1500), Duration.ofSeconds(1), Duration.ofSeconds(1), 16,
            Duration.ofMinutes(30));

    static SimulatedCluster cluster(SimConfig sim, Recorder recorder, Optional<DirectoryConfig> directory) {
        return new SimulatedCluster(new Simulation(sim), HyParViewConfig.fastRepair(), PlumtreeConfig.lan(), directory,
                recorder);
    }

    static void grow(SimulatedCluster c, int nodes) {
        for (int i = 0; i < nodes; i++) {
            c.addNode();
            c.simulation().runFor(Duration.ofMillis(30));
        }
    }

    @Property(tries = 25)
    void withoutFailuresEveryBroadcastReachesEveryNodeExactlyOnce(@ForAll long seed, @ForAll @IntRange(min = 2, max = 40) int nodes,
                                                                 @ForAll @IntRange(min = 1, max = 8) int broadcasts) {
        // Given a cluster that joined and settled
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(SimConfig.lan(seed), recorder, Optional.empty());
        grow(c, nodes);
        c.simulation().runFor(Duration.ofSeconds(10));

        // When random nodes broadcast, some at once
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < broadcasts; i++) {
            ids.add(c.node(c.randomLive()).broadcast(Channels.FIRST_APPLICATION_CHANNEL, new byte[] {(byte) i}));
            c.simulation().runFor(Duration.ofMillis(i % 3 * 40));
        }
        c.simulation().runFor(Duration.ofSeconds(5));

        // Then every node delivered every broadcast exactly once
        for (NodeId n : c.liveNodes()) {
            for (MessageId id : ids) {
                assertThat(recorder.deliveredCount(n, id)).as("seed %d: %s delivered %s", seed, n, id).isEqualTo(1);
            }
        }
    }

    @Property(tries = 20)
    void evenWithMessageLossNoBroadcastIsDeliveredTwice(@ForAll long seed, @ForAll @IntRange(min = 2, max = 30) int nodes,
                                                       @ForAll @DoubleRange(min = 0.0, max = 0.2) double loss) {
        // Given a cluster on a network that silently drops messages
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(SimConfig.lan(seed).withLossRate(loss), recorder, Optional.empty());
        grow(c, nodes);
        c.simulation().runFor(Duration.ofSeconds(5));

        // When nodes broadcast while the overlay is still repairing
        for (int i = 0; i < 6; i++) {
            c.node(c.randomLive()).broadcast(Channels.FIRST_APPLICATION_CHANNEL, new byte[0]);
            c.simulation().runFor(Duration.ofMillis(100));
        }
        c.simulation().runFor(Duration.ofSeconds(10));

        // Then no node delivered any broadcast twice
        assertThat(recorder.anyDeliveredTwice()).as("seed %d", seed).isFalse();
    }

    /** One step of churn: 0 a node joins, 1 a random node leaves, 2 one crashes, 3 one restarts as a new incarnation. */
    @Provide
    Arbitrary<List<Integer>> churn() {
        return Arbitraries.integers().between(0, 3).list().ofMinSize(0).ofMaxSize(10);
    }

    @Property(tries = 30)
    void afterAnyJoinsLeavesCrashesAndRestartsEveryDirectoryConvergesToTheLiveNodes(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 15) int initial,
            @ForAll("churn") List<Integer> steps, @ForAll @Size(max = 10) List<@IntRange(min = 0, max = 3000) Integer> gaps) {
        // Given a cluster
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(SimConfig.lan(seed), recorder, Optional.of(DIRECTORY));
        grow(c, initial);
        c.simulation().runFor(Duration.ofSeconds(5));

        // When nodes join, leave, crash and restart, some at once
        for (int i = 0; i < steps.size(); i++) {
            int step = steps.get(i);
            if (step == 0) {
                c.addNode();
            } else if (step == 3) {
                c.restart(c.randomLive());
            } else if (c.liveNodes().size() > 2) {
                NodeId victim = c.randomLive();
                if (step == 1) {
                    c.leave(victim);
                } else {
                    c.crash(victim);
                }
            }
            c.simulation().runFor(Duration.ofMillis(i < gaps.size() ? gaps.get(i) : 0));
        }
        c.simulation().runFor(Duration.ofSeconds(30));
        // A directory can only converge within the overlay it spreads over; whether the overlay
        // stays connected under churn is HyParView's own property, checked in its own tests.
        Assume.that(overlayConnected(c));

        // Then every live directory lists exactly the live nodes, and events came once each, UP before DOWN
        Set<NodeId> live = new HashSet<>(c.liveNodes());
        for (NodeId n : live) {
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers())
                    .as("seed %d: directory of %s", seed, n).containsExactlyInAnyOrderElementsOf(live);
            List<Notification> events = recorder.events(n);
            for (NodeId m : c.simulation().nodes()) {
                int up = events.indexOf(new MemberUp(m));
                long ups = events.stream().filter(e -> e.equals(new MemberUp(m))).count();
                List<Notification> downs = events.stream().filter(e -> e instanceof MemberDown d && d.member().equals(m)).toList();
                assertThat(ups).as("seed %d: UPs of %s at %s", seed, m, n).isLessThanOrEqualTo(1);
                assertThat(downs).as("seed %d: DOWNs of %s at %s", seed, m, n).hasSizeLessThanOrEqualTo(1);
                if (!downs.isEmpty()) {
                    assertThat(up).as("seed %d: UP of %s before its DOWN at %s", seed, m, n)
                            .isBetween(0, events.indexOf(downs.get(0)));
                }
            }
        }
    }

    @Property(tries = 20)
    void aNodeCutOffPastTheSuspicionTimeoutRejoinsAndEveryDirectoryHeals(
            @ForAll long seed, @ForAll @IntRange(min = 3, max = 12) int nodes, @ForAll @IntRange(min = 0, max = 6000) int cutMillis) {
        // Given a cluster
        Recorder recorder = new Recorder();
        SimulatedCluster c = settledCluster(seed, nodes, recorder);

        // When one running node is cut off for a while (past the 1.5 s suspicion timeout or not), then reachable again
        NodeId cutOff = c.randomLive();
        isolateThenHeal(c, cutOff, cutMillis);
        Assume.that(overlayConnected(c));

        // Then every node still runs (some as later incarnations), every directory lists exactly
        // them, and each listener heard of each incarnation at most one UP and one DOWN, UP first
        assertThat(c.liveNodes()).as("seed %d", seed).hasSize(nodes);
        Set<NodeId> live = new HashSet<>(c.liveNodes());
        for (NodeId n : live) {
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers())
                    .as("seed %d: directory of %s", seed, n).containsExactlyInAnyOrderElementsOf(live);
            List<Object> events = NodeCoreSimulationTest.eventsOfEveryIncarnation(recorder, n);
            Set<NodeId> mentioned = new HashSet<>();
            events.forEach(e -> mentioned.add(e instanceof MemberUp u ? u.member() : ((MemberDown) e).member()));
            for (NodeId m : mentioned) {
                long ups = events.stream().filter(e -> e.equals(new MemberUp(m))).count();
                List<Object> downs = events.stream().filter(e -> e instanceof MemberDown d && d.member().equals(m)).toList();
                assertThat(ups).as("seed %d: UPs of %s at %s", seed, m, n).isLessThanOrEqualTo(1);
                assertThat(downs).as("seed %d: DOWNs of %s at %s", seed, m, n).hasSizeLessThanOrEqualTo(1);
                if (!downs.isEmpty()) {
                    assertThat(events.indexOf(new MemberUp(m))).as("seed %d: UP of %s before its DOWN at %s", seed, m, n)
                            .isBetween(0, events.indexOf(downs.get(0)));
                }
            }
        }
    }

    @Property(tries = 20)
    void aStarvedNodeDeclaresNoHealthyNodeDown(
            @ForAll long seed, @ForAll @IntRange(min = 3, max = 12) int nodes, @ForAll @IntRange(min = 0, max = 8000) int stallMillis) {
        // Given a cluster
        Recorder recorder = new Recorder();
        SimulatedCluster c = settledCluster(seed, nodes, recorder);

        // When one node is starved (a GC pause, an overloaded machine) for a while, past the
        // failure detection and the 1.5 s suspicion timeout or not: its links break, and what
        // reached it meanwhile, its own timers included, is handled late, all at once
        NodeId starved = c.randomLive();
        c.simulation().stall(starved, Duration.ofMillis(stallMillis));
        c.simulation().runFor(Duration.ofSeconds(60));
        Assume.that(overlayConnected(c));

        // Then only the starved node may have been declared DOWN (it did not answer), never one
        // of the healthy nodes it suspected when it woke up; and every directory heals
        assertOnlyDeclaredDown(c, recorder, starved, seed);
    }

    @Property(tries = 20)
    void aNodeCutOffForLessThanItsPatienceSpreadsNoVerdictOfItsOwn(
            @ForAll long seed, @ForAll @IntRange(min = 3, max = 12) int nodes, @ForAll @IntRange(min = 0, max = 4000) int cutMillis) {
        // Given a cluster
        Recorder recorder = new Recorder();
        SimulatedCluster c = settledCluster(seed, nodes, recorder);

        // When one node is cut off from all the others for less than CUT_OFF_PATIENCE (3) suspicion timeouts
        NodeId cutOff = c.randomLive();
        isolateThenHeal(c, cutOff, cutMillis);
        Assume.that(overlayConnected(c));

        // Then the others may have declared it DOWN (it rejoins), but it declared none of them
        // DOWN: with no neighbour left it was the likeliest one cut off, so its suspicions waited
        assertOnlyDeclaredDown(c, recorder, cutOff, seed);
    }

    /** No listener heard of a DOWN (unreachable) of any node but {@code suspect}, and every directory lists the live nodes. */
    static void assertOnlyDeclaredDown(SimulatedCluster c, Recorder recorder, NodeId suspect, long seed) {
        assertThat(c.liveNodes()).as("seed %d", seed).hasSameSizeAs(c.simulation().aliveNodes());
        Set<NodeId> live = new HashSet<>(c.liveNodes());
        for (NodeId n : c.simulation().aliveNodes()) {
            assertThat(NodeCoreSimulationTest.eventsOfEveryIncarnation(recorder, n)).as("seed %d: DOWNs heard at %s", seed, n)
                    .filteredOn(e -> e instanceof MemberDown d && d.reason() == DownReason.UNREACHABLE)
                    .allSatisfy(e -> assertThat(((MemberDown) e).member().sameNodeAs(suspect)).as("seed %d: %s", seed, e).isTrue());
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers())
                    .as("seed %d: directory of %s", seed, n).containsExactlyInAnyOrderElementsOf(live);
        }
    }

    static boolean overlayConnected(SimulatedCluster c) {
        List<NodeId> live = c.liveNodes();
        Set<NodeId> reached = new HashSet<>(List.of(live.get(0)));
        ArrayDeque<NodeId> queue = new ArrayDeque<>(reached);
        while (!queue.isEmpty()) {
            for (NodeId n : c.node(queue.poll()).core().overlay().activeView()) {
                if (reached.add(n)) {
                    queue.add(n);
                }
            }
        }
        return reached.containsAll(live);
    }

    /** A cluster of {@code nodes} grown one by one and left to settle for 5 s. */
    private static SimulatedCluster settledCluster(long seed, int nodes, Recorder recorder) {
        SimulatedCluster c = cluster(SimConfig.lan(seed), recorder, Optional.of(DIRECTORY));
        grow(c, nodes);
        c.simulation().runFor(Duration.ofSeconds(5));
        return c;
    }

    /** Cuts {@code node} off from all the others for {@code millis}, heals, and runs 60 s more. */
    private static void isolateThenHeal(SimulatedCluster c, NodeId node, int millis) {
        FaultRule cut = c.simulation().faults().add(Partition.isolate(Set.of(node.name())));
        c.simulation().runFor(Duration.ofMillis(millis));
        c.simulation().faults().remove(cut.id());
        c.simulation().runFor(Duration.ofSeconds(60));
    }
}
