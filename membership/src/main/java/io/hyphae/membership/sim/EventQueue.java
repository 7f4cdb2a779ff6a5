package io.hyphae.membership.sim;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulator's calendar: one FIFO bucket per virtual millisecond, so events due at the same
 * time run in the order they were scheduled (which makes a run deterministic) and adding or
 * taking an event costs O(1) with no allocation. Buckets for the next {@value #RING} ms live in a
 * ring; later ones (timers) wait in a sorted map. Events are stored column-wise in primitive
 * arrays so millions of messages in flight cost no per-event object.
 */
final class EventQueue {

    static final int RING = 1 << 13;
    private static final int MASK = RING - 1;
    private static final int POOL = 256;
    private static final int BIG_POOL = 16;
    private static final int SMALL_BUCKET = 1 << 12;

    /** Events of one millisecond, in the order they were added. */
    static final class Bucket {
        byte[] kind = new byte[16];
        int[] target = new int[16];
        int[] source = new int[16];
        int[] aux = new int[16];
        Object[] payload = new Object[16];
        int size;
        int read;

        void add(byte k, int t, int s, int a, Object p) {
            if (size == kind.length) {
                int n = size * 2;
                kind = Arrays.copyOf(kind, n);
                target = Arrays.copyOf(target, n);
                source = Arrays.copyOf(source, n);
                aux = Arrays.copyOf(aux, n);
                payload = Arrays.copyOf(payload, n);
            }
            kind[size] = k;
            target[size] = t;
            source[size] = s;
            aux[size] = a;
            payload[size] = p;
            size++;
        }

        boolean hasNext() {
            return read < size;
        }

        void clear() {
            Arrays.fill(payload, 0, size, null);
            size = 0;
            read = 0;
        }
    }

    private final Bucket[] ring = new Bucket[RING];
    private final TreeMap<Long, Bucket> later = new TreeMap<>();
    private final ArrayDeque<Bucket> pool = new ArrayDeque<>();
    private final ArrayDeque<Bucket> bigPool = new ArrayDeque<>();
    private long pending;

    /** Adds an event due at {@code time}, which must not be before {@code now}. */
    void add(long now, long time, byte kind, int target, int source, int aux, Object payload) {
        Bucket b;
        if (time - now < RING) {
            int slot = (int) (time & MASK);
            b = ring[slot];
            if (b == null) {
                b = newBucket();
                ring[slot] = b;
            }
        } else {
            b = later.get(time);
            if (b == null) {
                b = newBucket();
                later.put(time, b);
            }
        }
        b.add(kind, target, source, aux, payload);
        pending++;
    }

    long size() {
        return pending;
    }

    /** The time of the earliest event at or after {@code now} and at or before {@code limit}, or -1. */
    long nextTime(long now, long limit) {
        long ringEnd = Math.min(limit, now + RING - 1);
        long found = -1;
        for (long t = now; t <= ringEnd; t++) {
            Bucket b = ring[(int) (t & MASK)];
            if (b != null && b.hasNext()) {
                found = t;
                break;
            }
        }
        if (!later.isEmpty()) {
            long l = later.firstKey();
            if (l <= limit && (found < 0 || l < found)) {
                found = l;
            }
        }
        return found;
    }

    /**
     * The bucket to drain for {@code time}: events put in the far map while {@code time} was
     * far are moved in front of those added to the ring since, keeping insertion order.
     */
    Bucket take(long time) {
        int slot = (int) (time & MASK);
        Bucket near = ring[slot];
        Map.Entry<Long, Bucket> far = later.firstEntry();
        if (far != null && far.getKey() == time) {
            later.pollFirstEntry();
            Bucket b = far.getValue();
            if (near != null) {
                for (int i = near.read; i < near.size; i++) {
                    b.add(near.kind[i], near.target[i], near.source[i], near.aux[i], near.payload[i]);
                }
                near.clear();
                recycle(near);
            }
            ring[slot] = b;
            return b;
        }
        return near;
    }

    /** Called once a bucket taken for {@code time} is drained. */
    void done(long time, Bucket b) {
        pending -= b.size;
        int slot = (int) (time & MASK);
        if (ring[slot] == b) {
            ring[slot] = null;
        }
        b.clear();
        recycle(b);
    }

    private Bucket newBucket() {
        // A big bucket first: during a broadcast storm every millisecond needs one, and growing
        // a small one again each time costs copies.
        Bucket b = bigPool.poll();
        if (b == null) {
            b = pool.poll();
        }
        return b != null ? b : new Bucket();
    }

    private void recycle(Bucket b) {
        // Keep buckets for reuse, but only a few big ones, so a storm does not pin its memory.
        if (b.kind.length <= SMALL_BUCKET) {
            if (pool.size() < POOL) {
                pool.push(b);
            }
        } else if (bigPool.size() < BIG_POOL) {
            bigPool.push(b);
        }
    }
}
