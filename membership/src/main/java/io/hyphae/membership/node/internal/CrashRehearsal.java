package io.hyphae.membership.node.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.directory.DirectoryNotification;
import io.hyphae.membership.node.SimulatedCluster;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.sim.SimConfig;
import io.hyphae.membership.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the protocol cores' failure paths once per JVM, when its first node starts: a simulated
 * cluster of four {@link io.hyphae.membership.node.NodeCore}s with the node's own overlay,
 * broadcast and directory settings, on virtual time, in which one node crashes and the others
 * find its link down, are refused a redial and declare it DOWN.
 *
 * <p>Why: a JVM runs a code path slowly the first time (its classes load, its lambdas and string
 * concatenations are linked), and a node's failure paths first run at the worst moment, when a
 * peer has just died and every node's event loop is busy with it; the first multicall after a
 * kill waits on exactly that (docs/performance.md, W4). Here that cost is paid at start, once,
 * on the starting thread; the same code then runs linked when a real peer fails. Nothing of the
 * real node is touched: the simulation has its own nodes, clock and random source.
 */
final class CrashRehearsal {

    private static final Logger log = LoggerFactory.getLogger(CrashRehearsal.class);
    private static final AtomicBoolean RAN = new AtomicBoolean();
    private static final int NODES = 4;
    // Virtual time to converge after the joins.
    private static final Duration SETTLE = Duration.ofSeconds(10);
    // After the crash the survivors are refused a redial and declare the DOWN within a virtual
    // second or two; past this the rehearsal stops even if a configured suspicion timeout is
    // longer (each virtual second costs the timers of four nodes).
    private static final Duration MAX_AFTER_CRASH = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofSeconds(1);

    private CrashRehearsal() {
    }

    /** Rehearses once per JVM; a failure of the rehearsal is logged and never stops the node. */
    static void onceForThisJvm(HyParViewConfig overlay, PlumtreeConfig broadcast, DirectoryConfig directory) {
        if (!RAN.compareAndSet(false, true)) {
            return;
        }
        try {
            long start = System.nanoTime();
            List<NodeId> downs = rehearse(overlay, broadcast, directory);
            log.debug("failure paths rehearsed in {} ms ({} DOWN reports)", (System.nanoTime() - start) / 1_000_000, downs.size());
        } catch (RuntimeException e) {
            log.debug("failure-path rehearsal did not complete; the first real failure pays the cold path", e);
        }
    }

    /** Runs the simulated crash; returns the member each DOWN report named, one per survivor that made it. */
    static List<NodeId> rehearse(HyParViewConfig overlay, PlumtreeConfig broadcast, DirectoryConfig directory) {
        List<NodeId> downs = new ArrayList<>();
        SimulatedCluster cluster = new SimulatedCluster(new Simulation(SimConfig.lan(1)), overlay, broadcast, Optional.of(directory),
                (node, n) -> {
                    if (n instanceof DirectoryNotification.MemberDown down) {
                        downs.add(down.member());
                    }
                });
        for (int i = 0; i < NODES; i++) {
            cluster.addNode();
        }
        cluster.simulation().runFor(SETTLE);
        cluster.crash(cluster.liveNodes().get(NODES - 1));
        for (Duration ran = Duration.ZERO; downs.size() < NODES - 1 && ran.compareTo(MAX_AFTER_CRASH) < 0; ran = ran.plus(STEP)) {
            cluster.simulation().runFor(STEP);
        }
        return downs;
    }
}
