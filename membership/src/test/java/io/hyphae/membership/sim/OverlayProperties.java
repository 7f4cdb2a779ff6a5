package io.hyphae.membership.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.faults.Fault;
import io.hyphae.membership.faults.FaultRule;
import io.hyphae.membership.overlay.HyParViewConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * HyParView's invariants under generated scripts of joins, leaves, crashes, membership rounds,
 * partitions and message loss, in the simulator. A failure names the simulator seed and the
 * script (jqwik prints both as the falsified sample), and {@link #run} replays them exactly.
 */
class OverlayProperties {

    /** Small views, so a few dozen nodes fill them and exercise the full-view paths. */
    static final HyParViewConfig SMALL = new HyParViewConfig(3, 8, 4, 2, 2, 3, 3,
            Duration.ofSeconds(1), Duration.ofMillis(500), 5);

    /** Rounds after the last fault before the quiescent invariants must hold. */
    static final int QUIET_ROUNDS = 60;

    sealed interface Action {
    }

    record Grow(int nodes) implements Action {
    }

    record Crash(int which) implements Action {
    }

    record Leave(int which) implements Action {
    }

    record Rounds(int rounds) implements Action {
    }

    record Partition(int splitPercent, int seconds) implements Action {
    }

    @Provide
    Arbitrary<List<Action>> faultScripts() {
        return Arbitraries.<Action>oneOf(
                Arbitraries.integers().between(1, 8).map(Grow::new),
                Arbitraries.integers().between(0, 1000).map(Crash::new),
                Arbitraries.integers().between(0, 1000).map(Leave::new),
                Arbitraries.integers().between(0, 3).map(Rounds::new)).list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<Action>> partitionScripts() {
        return Arbitraries.<Action>oneOf(
                Arbitraries.integers().between(1, 8).map(Grow::new),
                Arbitraries.integers().between(0, 1000).map(Crash::new),
                Arbitraries.integers().between(0, 3).map(Rounds::new),
                Arbitraries.integers().between(10, 90).flatMap(split ->
                        Arbitraries.integers().between(0, 5).map(s -> new Partition(split, s))))
                .list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 100)
    void joinsLeavesCrashesAndShufflesLeaveAConnectedSymmetricOverlay(
            @ForAll("faultScripts") List<Action> script, @ForAll long seed) {
        FloodingCluster cluster = run(SimConfig.lan(seed), script);
        assertThat(settle(cluster.simulation()))
                .as("replay with run(SimConfig.lan(%dL), %s)", seed, script).isEmpty();
        // And a broadcast reaches every live node
        int seq = cluster.broadcastFromRandomNode();
        cluster.simulation().runFor(Duration.ofSeconds(2));
        assertThat(cluster.stats().deliveredCount(seq)).as("seed %d", seed).isEqualTo(cluster.aliveCount());
    }

    @Property(tries = 60)
    void partitionsAndLossNeverBreakTheViewBounds(@ForAll("partitionScripts") List<Action> script, @ForAll long seed) {
        // run() checks the always-invariants after every action; quiescence then must keep them
        FloodingCluster cluster = run(SimConfig.lan(seed).withLossRate(0.02), script);
        assertThat(OverlayCheck.alwaysViolations(cluster.simulation()))
                .as("replay with run(SimConfig.lan(%dL).withLossRate(0.02), %s)", seed, script).isEmpty();
    }

    @Property(tries = 60)
    void partitionsHealIntoAConnectedSymmetricOverlay(@ForAll("partitionScripts") List<Action> script, @ForAll long seed) {
        FloodingCluster cluster = run(SimConfig.lan(seed), script);
        assertThat(settle(cluster.simulation()))
                .as("replay with run(SimConfig.lan(%dL), %s)", seed, script).isEmpty();
    }

    /** Scripts the properties once falsified, replayed exactly: each needed a fix in HyParView. */
    @Example
    void formerCounterexamplesNowSettle() {
        // A 4-clique beside a 3-regular part, both full: needed the occasional promotion.
        assertThat(settle(run(SimConfig.lan(5138022L), List.of(new Leave(0), new Grow(5), new Grow(2))).simulation()))
                .isEmpty();
        // A pair refused by full nodes: needed promotion from a non-full view.
        assertThat(settle(run(SimConfig.lan(289597L), List.of(new Grow(2))).simulation())).isEmpty();
        // Two parts whose passive views knew nothing of each other: needed discovery contacts.
        assertThat(settle(run(SimConfig.lan(45L), List.of(new Rounds(0), new Grow(3), new Crash(0), new Leave(0),
                new Grow(6), new Grow(1), new Crash(0), new Crash(0), new Crash(2))).simulation())).isEmpty();
    }

    /**
     * Runs until the overlay is connected and symmetric, for at most {@link #QUIET_ROUNDS}
     * rounds, and returns what is still violated. Polled every 100 ms of virtual time, because
     * the occasional promotion ({@link HyParViewConfig#promotionRounds()}) keeps a few links
     * changing, each asymmetric for one round trip.
     */
    static List<String> settle(Simulation sim) {
        long deadline = sim.nowMillis() + SMALL.shuffleInterval().multipliedBy(QUIET_ROUNDS).toMillis();
        List<String> violations = OverlayCheck.quiescentViolations(sim);
        while (!violations.isEmpty() && sim.nowMillis() < deadline) {
            sim.runFor(Duration.ofMillis(100));
            violations = OverlayCheck.quiescentViolations(sim);
        }
        return violations;
    }

    /**
     * Plays {@code script} on a fresh cluster of 4 nodes, checking the always-invariants after
     * each action, then ends every partition and lets 10 rounds pass.
     */
    static FloodingCluster run(SimConfig simConfig, List<Action> script) {
        FloodingCluster cluster = new FloodingCluster(simConfig, SMALL, Duration.ofSeconds(1));
        Simulation sim = cluster.simulation();
        cluster.grow(4, Duration.ofMillis(20));
        for (Action a : script) {
            if (a instanceof Grow g) {
                cluster.grow(g.nodes(), Duration.ofMillis(20));
            } else if (a instanceof Crash c && cluster.aliveCount() > 2) {
                sim.crash(pick(cluster, c.which()));
            } else if (a instanceof Leave l && cluster.aliveCount() > 2) {
                NodeId id = pick(cluster, l.which());
                sim.node(id, OverlayNode.class).leave();
                sim.at(Duration.ofMillis(50), () -> sim.crash(id)); // the process exits after leaving
            } else if (a instanceof Rounds r) {
                sim.runFor(SMALL.shuffleInterval().multipliedBy(r.rounds()));
            } else if (a instanceof Partition p) {
                List<NodeId> alive = sim.aliveNodes();
                List<NodeId> side = new ArrayList<>(alive.subList(0, alive.size() * p.splitPercent() / 100));
                if (side.isEmpty()) {
                    sim.runFor(Duration.ofSeconds(p.seconds())); // an empty side cuts nothing
                } else {
                    FaultRule cut = sim.faults().add(Fault.Partition.isolate(
                            side.stream().map(NodeId::name).collect(Collectors.toSet())));
                    sim.runFor(Duration.ofSeconds(p.seconds()));
                    sim.faults().remove(cut.id());
                }
            }
            sim.runFor(Duration.ofMillis(100));
            assertThat(OverlayCheck.alwaysViolations(sim)).as("seed %d after %s", simConfig.seed(), a).isEmpty();
        }
        sim.runFor(SMALL.shuffleInterval().multipliedBy(10));
        return cluster;
    }

    private static NodeId pick(FloodingCluster cluster, int which) {
        List<NodeId> alive = cluster.simulation().aliveNodes();
        return alive.get(which % alive.size());
    }
}
