package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * Remembers which broadcasts this node delivered, so each is delivered at most once, in memory
 * that does not grow with the number of messages: per origin, a floor below which every sequence
 * counts as delivered, plus the few delivered sequences above it (broadcasts from one origin
 * mostly arrive in order, so the set above the floor stays small). An origin silent for longer
 * than the retention is forgotten.
 */
final class DeliveredIds {

    /** Most out-of-order sequences kept per origin before the floor is forced up. */
    static final int MAX_GAP_ENTRIES = 1024;

    private final long retentionMillis;
    private final Map<NodeId, Window> byOrigin = new HashMap<>();

    DeliveredIds(long retentionMillis) {
        this.retentionMillis = retentionMillis;
    }

    boolean contains(MessageId id) {
        Window w = byOrigin.get(id.origin());
        return w != null && w.contains(id.sequence());
    }

    /** Records {@code id} as delivered; false if it already was. */
    boolean add(MessageId id, long nowMillis) {
        Window w = byOrigin.computeIfAbsent(id.origin(), o -> new Window());
        w.lastSeenMillis = nowMillis;
        return w.add(id.sequence());
    }

    void expire(long nowMillis) {
        long limit = nowMillis - retentionMillis;
        for (Iterator<Window> it = byOrigin.values().iterator(); it.hasNext(); ) {
            if (it.next().lastSeenMillis < limit) {
                it.remove();
            }
        }
    }

    int origins() {
        return byOrigin.size();
    }

    private static final class Window {
        long floor;
        /** Delivered sequences above the floor; null while there are none (the usual case). */
        TreeSet<Long> above;
        long lastSeenMillis;

        boolean contains(long seq) {
            return seq <= floor || (above != null && above.contains(seq));
        }

        boolean add(long seq) {
            if (contains(seq)) {
                return false;
            }
            if (seq == floor + 1 && above == null) {
                floor = seq; // in order: nothing to remember but the floor
                return true;
            }
            if (above == null) {
                above = new TreeSet<>();
            }
            above.add(seq);
            // Slide the floor over the contiguous run, and force it up when too many gaps are
            // open: a sequence skipped that way counts as delivered (at most once beats exactly once).
            while (!above.isEmpty() && (above.first() == floor + 1 || above.size() > MAX_GAP_ENTRIES)) {
                floor = above.pollFirst();
            }
            if (above.isEmpty()) {
                above = null;
            }
            return true;
        }
    }
}
