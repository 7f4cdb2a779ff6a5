package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.overlay.HyParViewConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A ready-made simulated cluster: {@link OverlayNode}s with a {@link Flood} layer on top, the
 * setting of the HyParView paper's experiments. Nodes join one after another through a random
 * node that joined before. An isolated node gets fresh contacts from a discovery that lists
 * live nodes (as the Kubernetes or DNS strategies do), so it can always come back.
 */
public final class FloodingCluster {

    private static final int DISCOVERY_CONTACTS = 3;

    private final Simulation sim;
    private final HyParViewConfig config;
    private final long resendWindowMillis;
    private final FloodStats stats = new FloodStats();
    private final List<NodeId> ids = new ArrayList<>();
    private final List<OverlayNode> nodes = new ArrayList<>();
    /** The workload's own choices (contacts, victims, origins), apart from the network's randomness. */
    private final SplittableRandom random;

    public FloodingCluster(SimConfig simConfig, HyParViewConfig config, Duration resendWindow) {
        this.sim = new Simulation(simConfig);
        this.config = Objects.requireNonNull(config, "config");
        this.resendWindowMillis = resendWindow.toMillis();
        this.random = new SplittableRandom(simConfig.seed() ^ 0x5DEECE66DL);
    }

    public Simulation simulation() {
        return sim;
    }

    public FloodStats stats() {
        return stats;
    }

    /** Every node added, in order (crashed ones included). */
    public List<NodeId> ids() {
        return List.copyOf(ids);
    }

    public OverlayNode node(int i) {
        return nodes.get(i);
    }

    public int size() {
        return ids.size();
    }

    /** Adds {@code n} nodes, one every {@code between}, each joining through a random earlier live node. */
    public void grow(int n, Duration between) {
        for (int i = 0; i < n; i++) {
            List<NodeId> contacts = ids.isEmpty() ? List.of() : List.of(randomLiveNode());
            NodeId id = sim.addNode(ctx -> {
                OverlayNode node = new OverlayNode(ctx, config, this::discover);
                node.setUpper(new Flood(ctx, stats, resendWindowMillis));
                return node;
            });
            OverlayNode node = sim.node(id, OverlayNode.class);
            ids.add(id);
            nodes.add(node);
            node.join(contacts);
            sim.runFor(between);
        }
    }

    /** Crashes a random {@code share} (0..1) of the live nodes at once; returns how many. */
    public int crashShare(double share) {
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (sim.isAlive(ids.get(i))) {
                alive.add(i);
            }
        }
        int victims = (int) Math.round(alive.size() * share);
        for (int k = 0; k < victims; k++) {
            int j = k + random.nextInt(alive.size() - k);
            int t = alive.get(k);
            alive.set(k, alive.get(j));
            alive.set(j, t);
            sim.crash(ids.get(alive.get(k)));
        }
        return victims;
    }

    /** Starts a broadcast at a random live node and returns its sequence number in {@link #stats()}. */
    public int broadcastFromRandomNode() {
        return broadcast(randomLiveNode());
    }

    /** Starts a broadcast at {@code origin} and returns its sequence number in {@link #stats()}. */
    public int broadcast(NodeId origin) {
        int seq = stats.newBroadcast(sim.nowMillis());
        sim.node(origin, OverlayNode.class).upper(Flood.class).broadcast(seq);
        return seq;
    }

    public int aliveCount() {
        int n = 0;
        for (NodeId id : ids) {
            if (sim.isAlive(id)) {
                n++;
            }
        }
        return n;
    }

    /** Share of the live nodes that delivered broadcast {@code seq}. */
    public double reliability(int seq) {
        return (double) stats.deliveredCount(seq) / aliveCount();
    }

    private List<NodeId> discover() {
        List<NodeId> seeds = new ArrayList<>(DISCOVERY_CONTACTS);
        for (int i = 0; i < DISCOVERY_CONTACTS; i++) {
            seeds.add(randomLiveNode());
        }
        return seeds;
    }

    /** A live node chosen with the workload's random source. */
    public NodeId randomLiveNode() {
        // Rejection sampling: cheap while a fair share is alive; a full scan otherwise.
        for (int attempt = 0; attempt < 64; attempt++) {
            NodeId id = ids.get(random.nextInt(ids.size()));
            if (sim.isAlive(id)) {
                return id;
            }
        }
        List<NodeId> alive = new ArrayList<>();
        for (NodeId id : ids) {
            if (sim.isAlive(id)) {
                alive.add(id);
            }
        }
        if (alive.isEmpty()) {
            throw new IllegalStateException("no live node left");
        }
        return alive.get(random.nextInt(alive.size()));
    }
}
