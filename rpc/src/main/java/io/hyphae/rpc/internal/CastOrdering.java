package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.CastStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The receiving side of cast ordering, as a deterministic state machine (time handed in, no
 * threads, no clock). Casts are numbered 1, 2, 3, … per (origin incarnation, stream); this
 * class hands each one on at most once and, per (origin, stream), in increasing number.
 *
 * <p>A cast that arrives ahead of a missing one is held, at most {@code window} per (origin,
 * stream). The missing ones are given up, and the held ones delivered, when the first held cast
 * has waited {@code gapTimeout} or when the window overflows; a given-up cast that
 * arrives later is dropped as a duplicate would be. So order and at-most-once always hold;
 * completeness holds when nothing is lost for longer than the gap timeout.
 *
 * <p>Memory is bounded: {@code window} held casts per (origin, stream), at most
 * {@code maxOrigins} origins tracked, and departed origins are forgotten after a grace period
 * (two gap timeouts, for casts still travelling), then remembered only as a bounded set of ids
 * whose late casts are dropped.
 *
 * <p>Not thread-safe: one thread, or one lock, at a time.
 */
public final class CastOrdering {

    /** Why a cast was not handed on. */
    public enum Drop {
        /** Its number was delivered or given up already. */
        DUPLICATE,
        /** Its origin is gone and forgotten, or too many origins are tracked. */
        UNKNOWN_ORIGIN
    }

    /** Counts of what was not delivered, for the metrics. */
    public interface Listener {
        void dropped(Drop why);

        /** {@code count} casts were given up as lost: a gap timed out or the window overflowed. */
        void skipped(long count);
    }

    private record Key(NodeId origin, CastStream stream) {
    }

    private record Held(Cast cast, long arrivedNanos) {
    }

    private static final class Window {
        long delivered;
        final TreeMap<Long, Held> held = new TreeMap<>();

        /** When the first held cast stops waiting for the ones missing before it. */
        long gapDeadline(long gapTimeoutNanos) {
            return held.firstEntry().getValue().arrivedNanos() + gapTimeoutNanos;
        }
    }

    private static final int FORGOTTEN_CAPACITY = 4096;

    private final int window;
    private final long gapTimeoutNanos;
    private final int maxOrigins;
    private final Listener listener;
    private final Map<Key, Window> windows = new HashMap<>();
    private final Set<Key> gapped = new HashSet<>();
    private final Map<NodeId, Long> departedAt = new HashMap<>();
    private final LinkedHashSet<NodeId> forgotten = new LinkedHashSet<>();
    private final Map<NodeId, Integer> streamsByOrigin = new HashMap<>();

    public CastOrdering(int window, long gapTimeoutNanos, int maxOrigins, Listener listener) {
        if (window < 1 || gapTimeoutNanos < 1 || maxOrigins < 1) {
            throw new IllegalArgumentException("window, gap timeout and max origins must be positive");
        }
        this.window = window;
        this.gapTimeoutNanos = gapTimeoutNanos;
        this.maxOrigins = maxOrigins;
        this.listener = listener;
    }

    /** A cast arrived at {@code nowNanos}; returns the casts now deliverable, in order. */
    public List<Cast> onCast(Cast cast, long nowNanos) {
        Key key = new Key(cast.origin(), cast.stream());
        Window w = windows.get(key);
        if (w == null) {
            if (forgotten.contains(cast.origin())
                    || (!streamsByOrigin.containsKey(cast.origin()) && streamsByOrigin.size() >= maxOrigins)) {
                listener.dropped(Drop.UNKNOWN_ORIGIN);
                return List.of();
            }
            w = new Window();
            windows.put(key, w);
            streamsByOrigin.merge(cast.origin(), 1, Integer::sum);
        }
        long seq = cast.seq();
        if (seq <= w.delivered || w.held.containsKey(seq)) {
            listener.dropped(Drop.DUPLICATE);
            return List.of();
        }
        List<Cast> out = new ArrayList<>();
        if (seq == w.delivered + 1) {
            w.delivered = seq;
            out.add(cast);
            drainContiguous(w, out);
        } else {
            w.held.put(seq, new Held(cast, nowNanos));
            if (w.held.size() > window) {
                skipToFirstHeld(w, out);
            }
        }
        track(key, w);
        return out;
    }

    /**
     * Time is now {@code nowNanos}: gaps older than the gap timeout are given up, and departed
     * origins past their grace period forgotten. Returns the casts now deliverable, in order.
     */
    public List<Cast> onTick(long nowNanos) {
        List<Cast> out = new ArrayList<>();
        for (Iterator<Key> it = gapped.iterator(); it.hasNext(); ) {
            Key key = it.next();
            Window w = windows.get(key);
            while (!w.held.isEmpty() && nowNanos - w.gapDeadline(gapTimeoutNanos) >= 0) {
                skipToFirstHeld(w, out);
            }
            if (w.held.isEmpty()) {
                it.remove();
            }
        }
        for (Iterator<Map.Entry<NodeId, Long>> it = departedAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<NodeId, Long> e = it.next();
            if (nowNanos - e.getValue() >= 2 * gapTimeoutNanos) {
                forget(e.getKey(), out);
                it.remove();
            }
        }
        return out;
    }

    /**
     * {@code origin} left or failed. Its casts still travelling are delivered for a grace period
     * of two gap timeouts; then its state is dropped and later casts from it are refused.
     */
    public void onOriginDown(NodeId origin, long nowNanos) {
        // Also for an origin not heard from yet: its casts may still be on their way, and the
        // departure notice can overtake them on another path.
        departedAt.putIfAbsent(origin, nowNanos);
    }

    /** The earliest time {@link #onTick} has work to do. */
    public OptionalLong nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Key key : gapped) {
            next = Math.min(next, windows.get(key).gapDeadline(gapTimeoutNanos));
        }
        for (long at : departedAt.values()) {
            next = Math.min(next, at + 2 * gapTimeoutNanos);
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** Casts held waiting for a missing one, over every origin. */
    public int held() {
        int n = 0;
        for (Key key : gapped) {
            n += windows.get(key).held.size();
        }
        return n;
    }

    private void track(Key key, Window w) {
        if (w.held.isEmpty()) {
            gapped.remove(key);
        } else {
            gapped.add(key);
        }
    }

    private void skipToFirstHeld(Window w, List<Cast> out) {
        long first = w.held.firstKey();
        listener.skipped(first - 1 - w.delivered);
        w.delivered = first - 1;
        drainContiguous(w, out);
    }

    private static void drainContiguous(Window w, List<Cast> out) {
        while (!w.held.isEmpty() && w.held.firstKey() == w.delivered + 1) {
            out.add(w.held.pollFirstEntry().getValue().cast());
            w.delivered++;
        }
    }

    private void forget(NodeId origin, List<Cast> out) {
        for (CastStream stream : CastStream.values()) {
            Key key = new Key(origin, stream);
            Window w = windows.remove(key);
            while (w != null && !w.held.isEmpty()) {
                skipToFirstHeld(w, out); // deliver what is held rather than lose it with the state
            }
            gapped.remove(key);
        }
        streamsByOrigin.remove(origin);
        remember(origin);
    }

    private void remember(NodeId origin) {
        forgotten.add(origin);
        if (forgotten.size() > FORGOTTEN_CAPACITY) {
            Iterator<NodeId> oldest = forgotten.iterator();
            oldest.next();
            oldest.remove();
        }
    }
}
