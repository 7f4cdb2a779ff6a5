package io.hyphae.membership.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.NodeId;
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
import java.util.ArrayList;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.FaultRule;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeCoreSimulationTest {

    static final DirectoryConfig DIRECTORY = new DirectoryConfig(Duration.ofMillis(1500), Duration.ofSeconds(1), Duration.ofSeconds(1), 64,
            Duration.ofMinutes(30));

    static SimulatedCluster cluster(long seed, Recorder recorder, int nodes) {
        SimulatedCluster c = new SimulatedCluster(new Simulation(SimConfig.lan(seed)), HyParViewConfig.fastRepair(),
                PlumtreeConfig.lan(), Optional.of(DIRECTORY), recorder);
        for (int i = 0; i < nodes; i++) {
            c.addNode();
            c.simulation().runFor(Duration.ofMillis(20));
        }
        c.simulation().runFor(Duration.ofSeconds(20));
        return c;
    }


    @Test
    void everyDirectoryListsEveryNodeAndEveryBroadcastReachesEveryNodeOnce() {
        // Given 60 nodes joined one after the other
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(11, recorder, 60);

        // When three nodes broadcast
        List<MessageId> ids = new ArrayList<>();
        for (NodeId origin : List.of(c.liveNodes().get(3), c.liveNodes().get(30), c.liveNodes().get(59))) {
            ids.add(c.node(origin).broadcast(Channels.FIRST_APPLICATION_CHANNEL, new byte[] {1}));
        }
        c.simulation().runFor(Duration.ofSeconds(5));

        // Then every directory is complete and every node delivered each broadcast exactly once
        for (NodeId n : c.liveNodes()) {
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers()).containsExactlyInAnyOrderElementsOf(c.liveNodes());
            for (MessageId id : ids) {
                assertThat(recorder.deliveredCount(n, id)).as("%s: %s", n, id).isEqualTo(1);
            }
        }
    }

    @Test
    void crashedNodeIsReportedDownEverywhereAfterTheSuspicionTimeout() {
        // Given a converged cluster of 40
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(5, recorder, 40);
        NodeId victim = c.liveNodes().get(17);

        // When it crashes
        c.crash(victim);
        c.simulation().runFor(Duration.ofSeconds(10));

        // Then every survivor reported it down once, as unreachable, and lists only the survivors
        for (NodeId n : c.liveNodes()) {
            assertThat(recorder.events(n)).containsOnlyOnce(new MemberDown(victim, DownReason.UNREACHABLE));
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers()).containsExactlyInAnyOrderElementsOf(c.liveNodes());
        }
    }

    @Test
    void leavingNodeIsReportedLeftWithoutWaitingForATimeout() {
        // Given a converged cluster of 40
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(6, recorder, 40);
        NodeId leaver = c.liveNodes().get(9);

        // When it leaves
        c.leave(leaver);
        c.simulation().runFor(Duration.ofMillis(1000)); // under the 1.5 s suspicion timeout

        // Then every remaining node reported it left, and nobody suspected anyone
        for (NodeId n : c.liveNodes()) {
            assertThat(recorder.events(n)).containsOnlyOnce(new MemberDown(leaver, DownReason.LEFT));
            assertThat(recorder.events(n)).filteredOn(e -> e instanceof MemberDown).hasSize(1);
        }
    }

    @Test
    void upEventsAreReportedOncePerMemberEvenAfterChurn() {
        // Given a cluster where nodes joined, and some crashed and some left
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(8, recorder, 30);
        List<NodeId> gone = new ArrayList<>(List.of(c.liveNodes().get(4), c.liveNodes().get(12)));
        c.crash(gone.get(0));
        c.leave(gone.get(1));
        c.simulation().runFor(Duration.ofSeconds(10));

        // Then each node reported every other member up exactly once
        for (NodeId n : c.liveNodes()) {
            for (NodeId m : c.simulation().nodes()) {
                assertThat(recorder.events(n)).as("%s about %s", n, m).containsOnlyOnce(new MemberUp(m));
            }
        }
    }

    @Test
    void restartedNodeReplacesItsOldIncarnationEverywhere() {
        // Given a converged cluster of 30
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(9, recorder, 30);
        NodeId old = c.liveNodes().get(11);

        // When that node restarts as a new incarnation on the same name and address
        NodeId reborn = c.restart(old);
        c.simulation().runFor(Duration.ofSeconds(10));

        // Then every directory lists the new incarnation, not the old, and the old went down once
        assertThat(reborn.sameNodeAs(old)).isTrue();
        for (NodeId n : c.liveNodes()) {
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers()).as("at %s", n)
                    .contains(reborn).doesNotContain(old).hasSize(30);
            if (!n.equals(reborn)) {
                assertThat(recorder.events(n)).filteredOn(e -> e instanceof MemberDown d && d.member().equals(old)).hasSize(1);
                assertThat(recorder.events(n)).containsOnlyOnce(new MemberUp(reborn));
            }
        }
    }

    @Test
    void aNodeFalselyDeclaredDownRejoinsAsItsNextIncarnationAndEveryDirectoryHeals() {
        // Given a converged cluster of 20
        Recorder recorder = new Recorder();
        SimulatedCluster c = cluster(13, recorder, 20);
        NodeId cutOff = c.liveNodes().get(7);

        // When that node is cut off for longer than the suspicion timeout, while it keeps running
        FaultRule cut = c.simulation().faults().add(Partition.isolate(Set.of(cutOff.name())));
        c.simulation().runFor(Duration.ofSeconds(5));
        c.simulation().faults().remove(cut.id());
        c.simulation().runFor(Duration.ofSeconds(60));

        // Then it runs on as a later incarnation of itself, and every directory lists exactly the
        // running nodes again: the false DOWN healed without a restart
        NodeId renewed = c.liveNodes().stream().filter(n -> n.sameNodeAs(cutOff)).findFirst().orElseThrow();
        assertThat(renewed.incarnation()).isGreaterThan(cutOff.incarnation());
        assertThat(c.liveNodes()).hasSize(20);
        for (NodeId n : c.liveNodes()) {
            assertThat(c.node(n).core().directory().orElseThrow().liveMembers()).as("at %s", n)
                    .containsExactlyInAnyOrderElementsOf(c.liveNodes());
        }
        // and the others reported the old incarnation down once, never up again, and the new one up once
        for (NodeId n : c.liveNodes()) {
            List<Object> events = eventsOfEveryIncarnation(recorder, n);
            if (!n.sameNodeAs(cutOff)) {
                assertThat(events).as("at %s", n).filteredOn(e -> e instanceof MemberDown d && d.member().equals(cutOff)).hasSize(1);
                assertThat(events).as("at %s", n).containsOnlyOnce(new MemberUp(cutOff), new MemberUp(renewed));
            }
        }
    }

    /** What a node's listener heard under every incarnation it had (a rejoin changes its id, not its listener). */
    static List<Object> eventsOfEveryIncarnation(Recorder recorder, NodeId node) {
        List<Object> all = new ArrayList<>();
        recorder.memberEvents.keySet().stream().filter(n -> n.sameNodeAs(node))
                .sorted((a, b) -> Long.compare(a.incarnation(), b.incarnation())).forEach(id -> all.addAll(recorder.events(id)));
        return all;
    }
}
