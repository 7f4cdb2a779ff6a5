package io.hyphae.benchmarks.sim;

import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.sim.FloodingCluster;
import io.hyphae.membership.sim.SimConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * S3 (WORKLOADS.md): 100,000 simulated nodes join one after another (one per virtual
 * millisecond, each through a random earlier node), run 10 membership rounds, then carry 1,000
 * broadcasts from random nodes, one every 100 virtual ms. Broadcast is flooding over the active
 * views (the {@code Flood} instrument), not Plumtree.
 *
 * <p>Prints {@code S3 nodes wall_s heap_mb reliability}: wall-clock seconds of the whole run,
 * the peak heap in use (sum of the heap pools' peaks), and the share of (live node, broadcast)
 * pairs delivered. Arguments (optional): {@code nodes=100000 broadcasts=1000 seed=1 rounds=10}.
 */
public final class S3LargeCluster {

    private S3LargeCluster() {
    }

    public static void main(String[] args) {
        Map<String, String> opts = Args.parse(args);
        int nodes = Integer.parseInt(opts.getOrDefault("nodes", "100000"));
        int broadcasts = Integer.parseInt(opts.getOrDefault("broadcasts", "1000"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "10"));
        HyParViewConfig config = HyParViewConfig.defaults();

        long started = System.nanoTime();
        FloodingCluster cluster = new FloodingCluster(SimConfig.lan(seed), config, Duration.ofSeconds(5));
        cluster.grow(nodes, Duration.ofMillis(1));
        double joinS = (System.nanoTime() - started) / 1e9;
        cluster.simulation().runFor(config.shuffleInterval().multipliedBy(rounds));
        double stableS = (System.nanoTime() - started) / 1e9;

        long floodSentBefore = cluster.stats().messagesSent();
        int first = -1;
        for (int b = 0; b < broadcasts; b++) {
            int seq = cluster.broadcastFromRandomNode();
            if (first < 0) {
                first = seq;
            }
            cluster.simulation().runFor(Duration.ofMillis(100));
        }
        cluster.simulation().runFor(Duration.ofSeconds(2));
        long delivered = 0;
        long lastDeliveryMax = 0;
        for (int seq = first; seq < first + broadcasts; seq++) {
            delivered += cluster.stats().deliveredCount(seq);
            lastDeliveryMax = Math.max(lastDeliveryMax, cluster.stats().lastDeliveryMillis(seq));
        }
        double reliability = (double) delivered / ((long) broadcasts * cluster.aliveCount());
        double wallS = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT,
                "S3 nodes=%d wall_s=%.1f heap_mb=%d reliability=%.6f broadcast=flooding join_s=%.1f stabilise_s=%.1f"
                        + " flood_msgs_per_broadcast=%.0f max_last_delivery_ms=%d sim_messages=%d seed=%d%n",
                nodes, wallS, peakHeapMb(), reliability, joinS, stableS - joinS,
                (double) (cluster.stats().messagesSent() - floodSentBefore) / broadcasts, lastDeliveryMax,
                cluster.simulation().messagesSent(), seed);
    }

    private static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
