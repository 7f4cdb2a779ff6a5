package io.hyphae.membership.node;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.sim.SimContext;
import io.hyphae.membership.sim.Simulation;
import io.hyphae.membership.wire.WireLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A {@link Simulation} of whole nodes ({@link NodeCore} on {@link SimulatedNode}): adds nodes
 * that join through a random live node, and hands every node's notifications to one listener.
 * Tests and the benchmark workloads build their scenarios on it.
 */
public final class SimulatedCluster {

    /** Receives every notification that leaves a node's {@link NodeCore}, with the node it left. */
    @FunctionalInterface
    public interface Listener {
        void on(NodeId node, Notification notification);
    }

    private final Simulation simulation;
    private final HyParViewConfig overlay;
    private final PlumtreeConfig broadcast;
    private final Optional<DirectoryConfig> directory;
    private final Listener listener;
    private final SplittableRandom random;
    /** The running nodes; their identities change when they rejoin after a false DOWN. */
    private final List<SimulatedNode> live = new ArrayList<>();

    public SimulatedCluster(Simulation simulation, HyParViewConfig overlay, PlumtreeConfig broadcast,
                            Optional<DirectoryConfig> directory, Listener listener) {
        this.simulation = Objects.requireNonNull(simulation, "simulation");
        this.overlay = Objects.requireNonNull(overlay, "overlay");
        this.broadcast = Objects.requireNonNull(broadcast, "broadcast");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.random = new SplittableRandom(simulation.seed() ^ 0x9E3779B97F4A7C15L);
    }

    public Simulation simulation() {
        return simulation;
    }

    /** Adds a node and starts it with a random live node as its contact (none for the first). */
    public NodeId addNode() {
        List<NodeId> contacts = live.isEmpty() ? List.of() : List.of(randomLive());
        return started(simulation.addNode(this::newNode), contacts);
    }

    /**
     * Crashes {@code old} and starts its next incarnation on the same name and address, joining
     * through a random live node: to every protocol a new node that replaces the old one.
     */
    public NodeId restart(NodeId old) {
        live.remove(node(old));
        List<NodeId> contacts = live.isEmpty() ? List.of() : List.of(randomLive());
        return started(simulation.restart(old, this::newNode), contacts);
    }

    private SimulatedNode newNode(SimContext ctx) {
        return new SimulatedNode(ctx, new NodeCore(ctx.self(), overlay, broadcast, directory, WireLimits.DEFAULT,
                ctx.random()), this::discover, n -> listener.on(ctx.self(), n));
    }

    private NodeId started(NodeId id, List<NodeId> contacts) {
        live.add(node(id));
        node(id).start(contacts);
        return id;
    }

    /** The nodes started and neither crashed nor left, in the order they were added. */
    public List<NodeId> liveNodes() {
        return live.stream().map(n -> n.core().self()).toList();
    }

    public NodeId randomLive() {
        return live.get(random.nextInt(live.size())).core().self();
    }

    public SimulatedNode node(NodeId id) {
        return simulation.node(id, SimulatedNode.class);
    }

    public void crash(NodeId id) {
        live.remove(node(id));
        simulation.crash(id);
    }

    public void leave(NodeId id) {
        live.remove(node(id));
        node(id).leave();
    }

    /** What discovery would return: up to three random live nodes. */
    private List<NodeId> discover() {
        List<NodeId> seeds = new ArrayList<>(3);
        for (int i = 0; i < 3 && !live.isEmpty(); i++) {
            NodeId n = randomLive();
            if (!seeds.contains(n)) {
                seeds.add(n);
            }
        }
        return seeds;
    }
}
