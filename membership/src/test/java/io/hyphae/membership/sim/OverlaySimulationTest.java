package io.hyphae.membership.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.overlay.HyParViewConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlaySimulationTest {

    private static final HyParViewConfig CONFIG = HyParViewConfig.defaults();

    private static List<NodeId> grow(Simulation sim, int n, FloodStats stats) {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<NodeId> contacts = ids.isEmpty() ? List.of() : List.of(ids.get(0));
            NodeId id = sim.addNode(ctx -> {
                OverlayNode node = new OverlayNode(ctx, CONFIG, () -> contacts);
                node.setUpper(new Flood(ctx, stats, 5_000));
                return node;
            });
            ids.add(id);
            sim.node(id, OverlayNode.class).join(contacts);
            sim.runFor(Duration.ofMillis(10));
        }
        return ids;
    }

    private static int flood(Simulation sim, FloodStats stats, NodeId from) {
        int seq = stats.newBroadcast(sim.nowMillis());
        sim.node(from, OverlayNode.class).upper(Flood.class).broadcast(seq);
        sim.runFor(Duration.ofSeconds(2));
        return stats.deliveredCount(seq);
    }

    @Test
    void nodesJoiningThroughOneContactFormAConnectedSymmetricOverlay() {
        // Given 500 nodes joining one after the other through the first
        Simulation sim = new Simulation(SimConfig.lan(42));
        FloodStats stats = new FloodStats();
        List<NodeId> ids = grow(sim, 500, stats);

        // When the overlay runs for a few membership rounds
        sim.runFor(Duration.ofSeconds(60));

        // Then the invariants hold and a flood reaches everyone
        assertThat(OverlayCheck.quiescentViolations(sim)).isEmpty();
        assertThat(flood(sim, stats, ids.get(7))).isEqualTo(500);
    }

    @Test
    void overlayHealsAfterHalfTheNodesCrash() {
        // Given a stable overlay of 400 nodes
        Simulation sim = new Simulation(SimConfig.lan(7));
        FloodStats stats = new FloodStats();
        List<NodeId> ids = grow(sim, 400, stats);
        sim.runFor(Duration.ofSeconds(60));

        // When every other node crashes at once
        for (int i = 1; i < ids.size(); i += 2) {
            sim.crash(ids.get(i));
        }
        sim.runFor(Duration.ofSeconds(30));

        // Then the survivors form a connected symmetric overlay again
        assertThat(OverlayCheck.quiescentViolations(sim)).isEmpty();
        assertThat(flood(sim, stats, ids.get(0))).isEqualTo(200);
    }

    @Test
    void sameSeedReplaysTheSameRun() {
        // Given two simulations with the same seed and script
        long[] fingerprints = new long[2];
        for (int run = 0; run < 2; run++) {
            Simulation sim = new Simulation(SimConfig.lan(1234).withLossRate(0.01));
            List<NodeId> ids = grow(sim, 100, new FloodStats());
            sim.crash(ids.get(3));
            sim.runFor(Duration.ofSeconds(30));
            // Then every view and every counter is identical
            long f = sim.messagesSent() * 31 + sim.messagesLost();
            for (NodeId id : sim.aliveNodes()) {
                f = f * 31 + sim.node(id, OverlayNode.class).hyParView().activeView().hashCode();
                f = f * 31 + sim.node(id, OverlayNode.class).hyParView().passiveView().hashCode();
            }
            fingerprints[run] = f;
        }
        assertThat(fingerprints[0]).isEqualTo(fingerprints[1]);
    }
}
