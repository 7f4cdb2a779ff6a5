package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.overlay.HyParView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the HyParView invariants over the live {@link OverlayNode}s of a simulation: no node in
 * its own views, no duplicates, view sizes within bounds, active view disjoint from passive
 * view; and, once the overlay is quiet, symmetric active views over live nodes and one
 * connected component.
 */
public final class OverlayCheck {

    private OverlayCheck() {
    }

    /** Violations of the invariants that hold at every instant. */
    public static List<String> alwaysViolations(Simulation sim) {
        List<String> out = new ArrayList<>();
        for (NodeId id : sim.aliveNodes()) {
            HyParView hv = sim.node(id, OverlayNode.class).hyParView();
            List<NodeId> active = hv.activeView();
            List<NodeId> passive = hv.passiveView();
            if (active.contains(id) || passive.contains(id)) {
                out.add(id + " is in its own view");
            }
            if (new HashSet<>(active).size() != active.size()) {
                out.add(id + " has duplicates in its active view " + active);
            }
            if (new HashSet<>(passive).size() != passive.size()) {
                out.add(id + " has duplicates in its passive view " + passive);
            }
            if (active.size() > hv.config().activeViewSize()) {
                out.add(id + " active view of " + active.size() + " over " + hv.config().activeViewSize());
            }
            if (passive.size() > hv.config().passiveViewSize()) {
                out.add(id + " passive view of " + passive.size() + " over " + hv.config().passiveViewSize());
            }
            for (NodeId a : active) {
                if (passive.contains(a)) {
                    out.add(id + " has " + a + " in both views");
                }
            }
        }
        return out;
    }

    /**
     * Violations of what must hold once the overlay is quiet after the last fault: every active
     * link points to a live node and is symmetric, and the live nodes form one component.
     */
    public static List<String> quiescentViolations(Simulation sim) {
        List<String> out = new ArrayList<>(alwaysViolations(sim));
        List<NodeId> alive = sim.aliveNodes();
        Map<NodeId, List<NodeId>> views = new HashMap<>();
        for (NodeId id : alive) {
            views.put(id, sim.node(id, OverlayNode.class).hyParView().activeView());
        }
        for (NodeId id : alive) {
            for (NodeId peer : views.get(id)) {
                List<NodeId> back = views.get(peer);
                if (back == null) {
                    out.add(id + " has a dead node " + peer + " in its active view");
                } else if (!back.contains(id)) {
                    out.add(id + " has " + peer + " in its active view but not the reverse");
                }
            }
        }
        int reached = componentSize(alive, views);
        if (!alive.isEmpty() && reached != alive.size()) {
            out.add("overlay not connected: " + reached + " of " + alive.size() + " live nodes reachable from " + alive.get(0));
        }
        return out;
    }

    private static int componentSize(List<NodeId> alive, Map<NodeId, List<NodeId>> views) {
        if (alive.isEmpty()) {
            return 0;
        }
        Set<NodeId> seen = new HashSet<>();
        ArrayDeque<NodeId> todo = new ArrayDeque<>();
        todo.add(alive.get(0));
        seen.add(alive.get(0));
        while (!todo.isEmpty()) {
            NodeId n = todo.poll();
            for (NodeId p : views.get(n)) {
                if (views.containsKey(p) && seen.add(p)) {
                    todo.add(p);
                }
            }
        }
        return seen.size();
    }
}
