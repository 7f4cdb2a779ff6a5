package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

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

    /**
     * One origin's delivered sequences. Above the floor they are a small sorted array, not a
     * TreeSet: a node that joined after an origin's first broadcasts keeps a gap open for it
     * until the retention passes, and with a thousand origins per node (every member broadcasts
     * its directory entry) a set object per origin cost more than the rest of the node.
     */
    private static final class Window {
        private static final long[] NONE = new long[0];

        long floor;
        /** Delivered sequences above the floor, sorted, in {@code above[0 .. size)}. */
        long[] above = NONE;
        int size;
        long lastSeenMillis;

        boolean contains(long seq) {
            return seq <= floor || (size > 0 && Arrays.binarySearch(above, 0, size, seq) >= 0);
        }

        boolean add(long seq) {
            if (seq <= floor) {
                return false;
            }
            if (seq == floor + 1 && size == 0) {
                floor = seq; // in order: nothing to remember but the floor
                return true;
            }
            int at = Arrays.binarySearch(above, 0, size, seq);
            if (at >= 0) {
                return false;
            }
            insert(-at - 1, seq);
            // Slide the floor over the contiguous run, and force it up when too many gaps are
            // open: a sequence skipped that way counts as delivered (at most once beats exactly once).
            int drop = 0;
            while (drop < size && (above[drop] == floor + 1 || size - drop > MAX_GAP_ENTRIES)) {
                floor = above[drop++];
            }
            if (drop > 0) {
                System.arraycopy(above, drop, above, 0, size - drop);
                size -= drop;
            }
            if (size == 0) {
                above = NONE;
            }
            return true;
        }

        private void insert(int index, long seq) {
            if (size == above.length) {
                above = Arrays.copyOf(above, Math.max(2, size * 2));
            }
            System.arraycopy(above, index, above, index + 1, size - index);
            above[index] = seq;
            size++;
        }
    }
}
