package io.hyphae.benchmarks.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.overlay.HyParView;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.sim.FloodingCluster;
import io.hyphae.membership.sim.SimConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * S1 (WORKLOADS.md): the HyParView paper's mass-failure experiment (DSN 2007, section 5.3).
 * 10,000 simulated nodes join and run 50 membership rounds; then X% fail at once; a flood
 * broadcast goes out at once, and one more after each of the next 10 membership rounds.
 *
 * <p>Prints, per X: {@code S1 fail_pct reliability_first reliability_after_heal rounds_to_heal},
 * plus {@code reliability_first_static}: the share of survivors the first broadcast would reach
 * if no node repaired its view while it spread (a graph search over the views at the failure).
 * {@code reliability_after_heal} is the lowest reliability of the broadcasts sent 3 or more
 * rounds after the failure; {@code rounds_to_heal} the first round from which every broadcast
 * reached every survivor (0: already the first one), or -1 if none did.
 *
 * <p>Arguments (all optional): {@code nodes=10000 seed=1 rounds=10 stabilise=50 fail=10,20,...}
 */
public final class S1MassFailure {

    private static final double[] DEFAULT_FAILURES = {10, 20, 30, 40, 50, 60, 70, 80, 90, 95};

    private S1MassFailure() {
    }

    public static void main(String[] args) {
        Map<String, String> opts = Args.parse(args);
        int nodes = Integer.parseInt(opts.getOrDefault("nodes", "10000"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "10"));
        int stabilise = Integer.parseInt(opts.getOrDefault("stabilise", "50"));
        double[] failures = opts.containsKey("fail") ? Args.doubles(opts.get("fail")) : DEFAULT_FAILURES;
        HyParViewConfig config = HyParViewConfig.defaults();
        Duration round = config.shuffleInterval();

        for (double failPct : failures) {
            long started = System.nanoTime();
            FloodingCluster cluster = new FloodingCluster(SimConfig.lan(seed), config, round.dividedBy(2));
            cluster.grow(nodes, Duration.ofMillis(5));
            cluster.simulation().runFor(round.multipliedBy(stabilise));

            cluster.crashShare(failPct / 100.0);
            NodeId origin = cluster.randomLiveNode();
            double staticReach = staticReach(cluster, origin);
            int first = cluster.broadcast(origin);
            cluster.simulation().runFor(round);
            double reliabilityFirst = cluster.reliability(first);

            double[] byRound = new double[rounds + 1];
            byRound[0] = reliabilityFirst;
            for (int r = 1; r <= rounds; r++) {
                int seq = cluster.broadcastFromRandomNode();
                cluster.simulation().runFor(round);
                byRound[r] = cluster.reliability(seq);
            }
            double afterHeal = 1.0;
            for (int r = Math.min(3, rounds); r <= rounds; r++) {
                afterHeal = Math.min(afterHeal, byRound[r]);
            }
            int roundsToHeal = -1;
            for (int r = rounds; r >= 0 && byRound[r] == 1.0; r--) {
                roundsToHeal = r;
            }
            System.out.printf(Locale.ROOT,
                    "S1 fail_pct=%s reliability_first=%.4f reliability_after_heal=%.4f rounds_to_heal=%d"
                            + " reliability_first_static=%.4f survivors=%d nodes=%d seed=%d wall_s=%.1f%n",
                    Args.format(failPct), reliabilityFirst, afterHeal, roundsToHeal, staticReach,
                    cluster.aliveCount(), nodes, seed, (System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * Share of the survivors reachable from {@code origin} over the live nodes' active views as
     * they are at the instant of the failure: what a flood would reach if no view were repaired
     * while it spreads.
     */
    private static double staticReach(FloodingCluster cluster, NodeId origin) {
        Map<NodeId, HyParView> alive = new HashMap<>();
        List<NodeId> ids = cluster.ids();
        for (int i = 0; i < ids.size(); i++) {
            if (cluster.simulation().isAlive(ids.get(i))) {
                alive.put(ids.get(i), cluster.node(i).hyParView());
            }
        }
        Set<NodeId> seen = new HashSet<>();
        ArrayDeque<NodeId> todo = new ArrayDeque<>(List.of(origin));
        seen.add(origin);
        while (!todo.isEmpty()) {
            HyParView hv = alive.get(todo.poll());
            for (int i = 0; i < hv.activeSize(); i++) {
                NodeId p = hv.activeAt(i);
                if (alive.containsKey(p) && seen.add(p)) {
                    todo.add(p);
                }
            }
        }
        return (double) seen.size() / alive.size();
    }
}
