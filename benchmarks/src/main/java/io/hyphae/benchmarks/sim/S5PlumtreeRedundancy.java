package io.hyphae.benchmarks.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.node.SimulatedCluster;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.plumtree.MessageId;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.plumtree.PlumtreeNotification.Deliver;
import io.hyphae.membership.sim.SimConfig;
import io.hyphae.membership.sim.Simulation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * S5 (WORKLOADS.md): Plumtree over HyParView, no failures, as in the Plumtree paper's stable
 * runs (SRDS 2007, section 5). Nodes join one after the other through a random live node with
 * the HyParView paper's parameters, the overlay runs for some membership rounds, then random
 * nodes broadcast one after the other (each given time to finish).
 *
 * <p>Per broadcast, with the paper's definitions: relative message redundancy
 * {@code RMR = m / (n - 1) - 1}, where {@code m} counts payload messages (GOSSIP, eager pushes and
 * GRAFT answers alike; IHAVE, GRAFT and PRUNE are control traffic and not counted) and {@code n}
 * the nodes that delivered it; last delivery hop {@code LDH} = the most links any delivered copy
 * crossed. Prints the mean of each over all broadcasts, and over the broadcasts after the first
 * 10 (once the tree has formed), with the first broadcast's RMR and the reliability.
 *
 * <p>Arguments (all optional): {@code nodes=10000 broadcasts=1000 seed=1 stabilise=10} (membership
 * rounds) {@code optimization=3} (the section 3.8 threshold; 0 turns the optimisation off)
 * {@code promotion=30} (HyParView's promotionRounds, not in the paper; 0 keeps the overlay as
 * the paper's, which changes far less once settled).
 */
public final class S5PlumtreeRedundancy {

    private static final int WARM_UP = 10;

    private S5PlumtreeRedundancy() {
    }

    public static void main(String[] args) {
        Map<String, String> opts = Args.parse(args);
        int nodes = Integer.parseInt(opts.getOrDefault("nodes", "10000"));
        int broadcasts = Integer.parseInt(opts.getOrDefault("broadcasts", "1000"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int stabilise = Integer.parseInt(opts.getOrDefault("stabilise", "10"));
        int optimization = Integer.parseInt(opts.getOrDefault("optimization", String.valueOf(PlumtreeConfig.lan().optimizationThreshold())));
        long wallStart = System.nanoTime();

        HyParViewConfig p = HyParViewConfig.defaults();
        int promotion = Integer.parseInt(opts.getOrDefault("promotion", String.valueOf(p.promotionRounds())));
        HyParViewConfig overlay = new HyParViewConfig(p.activeViewSize(), p.passiveViewSize(), p.activeRandomWalkLength(),
                p.passiveRandomWalkLength(), p.shuffleActive(), p.shufflePassive(), p.shuffleTtl(), p.shuffleInterval(),
                p.neighborTimeout(), promotion);
        // The LAN preset with the cache and the delivered-id memory sized for one broadcast per
        // virtual second, so 10,000 nodes fit in a modest heap.
        PlumtreeConfig broadcast = new PlumtreeConfig(Duration.ofMillis(250), Duration.ofMillis(100),
                Duration.ofMillis(50), 64, Duration.ofSeconds(10), 1024, 512, 1024, optimization, Duration.ofSeconds(60));
        Map<MessageId, int[]> deliveries = new HashMap<>(); // id -> {delivered, max hops}
        SimulatedCluster cluster = new SimulatedCluster(new Simulation(SimConfig.lan(seed)), overlay, broadcast,
                Optional.empty(), (node, n) -> {
                    if (n instanceof Deliver d) {
                        int[] c = deliveries.computeIfAbsent(d.id(), k -> new int[2]);
                        c[0]++;
                        c[1] = Math.max(c[1], d.hops());
                    }
                });
        Simulation sim = cluster.simulation();
        for (int i = 0; i < nodes; i++) {
            cluster.addNode();
            sim.runFor(Duration.ofMillis(10));
        }
        sim.runFor(overlay.shuffleInterval().multipliedBy(stabilise));

        double rmrSum = 0;
        double ldhSum = 0;
        double rmrSteadySum = 0;
        double ldhSteadySum = 0;
        double rmrFirst = 0;
        int ldhMax = 0;
        long delivered = 0;
        for (int b = 0; b < broadcasts; b++) {
            long before = payloadMessages(cluster);
            MessageId id = cluster.node(cluster.randomLive()).broadcast(Channels.FIRST_APPLICATION_CHANNEL, new byte[64]);
            sim.runFor(Duration.ofSeconds(1));
            long m = payloadMessages(cluster) - before;
            int[] c = deliveries.remove(id);
            double rmr = c[0] > 1 ? (double) m / (c[0] - 1) - 1 : 0;
            rmrSum += rmr;
            ldhSum += c[1];
            if (b == 0) {
                rmrFirst = rmr;
            }
            if (b >= WARM_UP) {
                rmrSteadySum += rmr;
                ldhSteadySum += c[1];
            }
            ldhMax = Math.max(ldhMax, c[1]);
            delivered += c[0];
        }
        int steady = Math.max(1, broadcasts - WARM_UP);
        System.out.println(String.format(Locale.ROOT,
                "S5 nodes=%d broadcasts=%d relative_message_redundancy=%.4f last_delivery_hop=%.2f"
                        + " rmr_after_warmup=%.4f ldh_after_warmup=%.2f rmr_first=%.4f ldh_max=%d reliability=%.4f"
                        + " optimization_threshold=%d promotion_rounds=%d seed=%d wall_s=%.0f",
                nodes, broadcasts, rmrSum / broadcasts, ldhSum / broadcasts, rmrSteadySum / steady,
                ldhSteadySum / steady, rmrFirst, ldhMax, (double) delivered / ((long) broadcasts * nodes), optimization, promotion, seed,
                (System.nanoTime() - wallStart) / 1e9));
    }

    private static long payloadMessages(SimulatedCluster cluster) {
        long sum = 0;
        for (NodeId n : cluster.liveNodes()) {
            sum += cluster.node(n).core().plumtree().stats().gossipsSent();
        }
        return sum;
    }
}
