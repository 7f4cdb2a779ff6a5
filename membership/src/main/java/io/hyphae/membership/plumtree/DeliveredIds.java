package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import java.util.Arrays;

/**
 * Remembers which broadcasts this node delivered, so each is delivered at most once, in memory
 * that does not grow with the number of messages: per origin, a floor below which every sequence
 * counts as delivered, plus the few delivered sequences above it (broadcasts from one origin
 * mostly arrive in order, so the set above the floor stays small). An origin silent for longer
 * than the retention is forgotten.
 *
 * <p>The windows sit in an open-addressed table keyed by their origin (linear probing), not a
 * HashMap: every member broadcasts its directory entry, so each node keeps a window per member,
 * and a map node per window cost as much as the window itself (32 of about 80 bytes).
 */
final class DeliveredIds {

    /** Most out-of-order sequences kept per origin before the floor is forced up. */
    static final int MAX_GAP_ENTRIES = 1024;

    private static final int MIN_CAPACITY = 16;

    private final long retentionMillis;
    /** The windows by origin: a power-of-two table at most three quarters full, null where free. */
    private Window[] table = new Window[MIN_CAPACITY];
    private int origins;

    DeliveredIds(long retentionMillis) {
        this.retentionMillis = retentionMillis;
    }

    boolean contains(MessageId id) {
        Window w = table[slot(table, id.origin())];
        return w != null && w.contains(id.sequence());
    }

    /** Records {@code id} as delivered; false if it already was. */
    boolean add(MessageId id, long nowMillis) {
        int at = slot(table, id.origin());
        Window w = table[at];
        if (w == null) {
            if ((origins + 1) * 4 > table.length * 3) {
                rehash(table.length * 2);
                at = slot(table, id.origin());
            }
            w = new Window(id.origin());
            table[at] = w;
            origins++;
        }
        w.lastSeenMillis = nowMillis;
        return w.add(id.sequence());
    }

    void expire(long nowMillis) {
        long limit = nowMillis - retentionMillis;
        int kept = 0;
        for (int i = 0; i < table.length; i++) {
            if (table[i] == null) {
                continue;
            }
            if (table[i].lastSeenMillis < limit) {
                table[i] = null;
            } else {
                kept++;
            }
        }
        if (kept < origins) {
            // Removing from a linear-probing table leaves holes in the probe runs: rebuild it.
            origins = kept;
            int capacity = MIN_CAPACITY;
            while (kept * 4 > capacity * 3) {
                capacity *= 2;
            }
            rehash(capacity);
        }
    }

    int origins() {
        return origins;
    }

    private void rehash(int capacity) {
        Window[] old = table;
        table = new Window[capacity];
        for (Window w : old) {
            if (w != null) {
                table[slot(table, w.origin)] = w;
            }
        }
    }

    /** The slot of {@code origin}'s window in {@code t}, or the free slot where it would go. */
    private static int slot(Window[] t, NodeId origin) {
        int h = origin.hashCode();
        int mask = t.length - 1;
        int i = (h ^ (h >>> 16)) & mask;
        while (t[i] != null && !t[i].origin.equals(origin)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /**
     * One origin's delivered sequences. Above the floor they are a small sorted array, not a
     * TreeSet: a node that joined after an origin's first broadcasts keeps a gap open for it
     * until the retention passes, and with a thousand origins per node (every member broadcasts
     * its directory entry) a set object per origin cost more than the rest of the node.
     */
    private static final class Window {
        private static final long[] NONE = new long[0];

        final NodeId origin;
        long floor;
        /** Delivered sequences above the floor, sorted, in {@code above[0 .. size)}. */
        long[] above = NONE;
        int size;
        long lastSeenMillis;

        Window(NodeId origin) {
            this.origin = origin;
        }

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
