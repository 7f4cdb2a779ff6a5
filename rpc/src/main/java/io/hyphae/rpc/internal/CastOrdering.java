package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Broadcast;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
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
 * threads, no clock). It hands each cast on at most once and one origin's casts in the order
 * that origin sent them, broadcasts and direct casts together.
 *
 * <p>An origin numbers its broadcasts 1, 2, 3, … and its direct casts to this node 1, 2, 3, ….
 * A broadcast waits for the previous broadcast and for the direct cast its mark for this node
 * names (the last one sent to this node since the previous broadcast); a direct cast waits for
 * the previous direct cast and for the broadcast it names (the last one sent before it), and
 * belongs exactly there: once a later broadcast has been handed on or given up, that direct
 * cast is given up too. Together that is the origin's send order as this node observes it.
 *
 * <p>A cast that cannot be delivered yet is held, at most {@code window} per origin. When the
 * oldest held cast at the head of a sequence has waited {@code gapTimeout}, or the window
 * overflows, whatever it waits for is given up: missing numbers are skipped (a given-up cast
 * that arrives later is dropped like a duplicate) and delivery goes on. So order and
 * at-most-once always hold; completeness holds when nothing is lost for longer than the gap
 * timeout.
 *
 * <p><b>Incarnations.</b> An origin is one incarnation of a node. A node the cluster declared
 * down by mistake rejoins in place as its next incarnation and numbers its casts from 1 again.
 * The first cast of a newer incarnation ends the older one here at once: what the older one had
 * held is handed on first (missing numbers given up), so the node's casts stay in its send order
 * across the rejoin, and the older incarnation's casts that arrive later are dropped
 * ({@link Drop#UNKNOWN_ORIGIN}), as are casts of any incarnation older than the newest seen.
 * When this node itself rejoins ({@link #onSelfRenewed}), the others number their direct casts to
 * its new incarnation from 1, so the direct numbering of every origin starts over here.
 *
 * <p><b>Departed origins.</b> An origin the cluster reported down is forgotten once it has been
 * silent here for a grace period of two gap timeouts (for casts still travelling); then it is
 * remembered only in a bounded set whose late casts are dropped. The grace period starts again
 * at each cast it sends: a node declared down by mistake keeps casting until it hears the
 * verdict and rejoins, which can take seconds after its peers heard it, and those casts are
 * delivered, not lost. Its next incarnation's first cast ends it at once, as above.
 *
 * <p>Memory is bounded: {@code window} held casts per origin and at most {@code maxOrigins}
 * origins.
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

        /** {@code count} casts were given up as lost. */
        void skipped(long count);
    }

    /** A cast waiting; {@code needs} is the number it waits for in the other sequence (0: nothing). */
    private static final class Held {
        final Cast cast;
        final long arrivedNanos;
        long needs;

        Held(Cast cast, long arrivedNanos, long needs) {
            this.cast = cast;
            this.arrivedNanos = arrivedNanos;
            this.needs = needs;
        }
    }

    /** What this node has delivered from one origin, and what it holds. */
    private static final class Origin {
        long broadcasts;
        long directs;
        final TreeMap<Long, Held> heldBroadcasts = new TreeMap<>();
        final TreeMap<Long, Held> heldDirects = new TreeMap<>();

        int held() {
            return heldBroadcasts.size() + heldDirects.size();
        }

        /** The head that has waited longest, or null when nothing is held. */
        Held oldestHead() {
            Held b = heldBroadcasts.isEmpty() ? null : heldBroadcasts.firstEntry().getValue();
            Held d = heldDirects.isEmpty() ? null : heldDirects.firstEntry().getValue();
            if (b == null || d == null) {
                return b == null ? d : b;
            }
            return b.arrivedNanos <= d.arrivedNanos ? b : d;
        }
    }

    private static final int FORGOTTEN_CAPACITY = 4096;

    private long selfKey;
    private final int window;
    private final long gapTimeoutNanos;
    private final int maxOrigins;
    private final Listener listener;
    private final Map<NodeId, Origin> origins = new HashMap<>();
    // The incarnation tracked in origins for each node (at most one: a newer one ends the older).
    private final Map<NodeKey, NodeId> incarnations = new HashMap<>();
    private final Set<NodeId> holding = new HashSet<>();
    private final Map<NodeId, Long> departedAt = new HashMap<>();
    private final LinkedHashSet<NodeId> forgotten = new LinkedHashSet<>();

    /**
     * @param selfKey this node's {@link io.hyphae.rpc.wire.RpcMessage.DirectMark#keyOf key}, to
     *     find its mark in a broadcast
     */
    public CastOrdering(long selfKey, int window, long gapTimeoutNanos, int maxOrigins, Listener listener) {
        if (window < 1 || gapTimeoutNanos < 1 || maxOrigins < 1) {
            throw new IllegalArgumentException("window, gap timeout and max origins must be positive");
        }
        this.selfKey = selfKey;
        this.window = window;
        this.gapTimeoutNanos = gapTimeoutNanos;
        this.maxOrigins = maxOrigins;
        this.listener = listener;
    }

    /** A cast arrived at {@code nowNanos}; returns the casts now deliverable, in order. */
    public List<Cast> onCast(Cast cast, long nowNanos) {
        List<Cast> out = new ArrayList<>();
        onCast(cast, nowNanos, out);
        return out;
    }

    /** A cast arrived at {@code nowNanos}; adds the casts now deliverable to {@code out}, in order. */
    public void onCast(Cast cast, long nowNanos, List<Cast> out) {
        Origin o = origins.get(cast.origin());
        if (o == null) {
            NodeKey node = NodeKey.of(cast.origin());
            NodeId tracked = incarnations.get(node);
            if (forgotten.contains(cast.origin()) || (tracked != null && tracked.incarnation() > cast.origin().incarnation())
                    || (tracked == null && origins.size() >= maxOrigins)) {
                listener.dropped(Drop.UNKNOWN_ORIGIN);
                return;
            }
            if (tracked != null) {
                // A newer incarnation of that node: the older one is over (the cluster declared it
                // down). What it held goes first, so the node's casts keep its send order.
                departedAt.remove(tracked);
                forget(tracked, out);
            }
            o = new Origin();
            origins.put(cast.origin(), o);
            incarnations.put(node, cast.origin());
        }
        if (!departedAt.isEmpty()) {
            departedAt.replace(cast.origin(), nowNanos); // still talking: its grace period starts again
        }
        boolean broadcast = cast instanceof Broadcast;
        long delivered = broadcast ? o.broadcasts : o.directs;
        TreeMap<Long, Held> held = broadcast ? o.heldBroadcasts : o.heldDirects;
        long seq = cast.seq();
        if (seq <= delivered || (!held.isEmpty() && held.containsKey(seq))) { // no boxing of seq in the common case
            listener.dropped(Drop.DUPLICATE);
            return;
        }
        long needs = broadcast ? ((Broadcast) cast).markFor(selfKey) : ((DirectCast) cast).afterBroadcast();
        if (!broadcast && needs < o.broadcasts) {
            // Sent before a broadcast this node has already handed on (or given up): too late to
            // keep the send order, so it is given up, with any direct cast still missing before it.
            skip(o, false, seq);
            drain(o, out);
        } else if (seq == delivered + 1 && (broadcast ? needs <= o.directs : needs == o.broadcasts)) {
            // In order with everything before it: the common case, no holding.
            advance(o, broadcast);
            out.add(cast);
            if (o.held() > 0) {
                drain(o, out);
            }
        } else {
            held.put(seq, new Held(cast, nowNanos, needs));
            drain(o, out);
            while (o.held() > window) {
                giveUpBlocker(o, o.oldestHead(), out);
            }
        }
        track(cast.origin(), o);
    }

    /**
     * Time is now {@code nowNanos}: what held casts have waited {@code gapTimeout} for is given
     * up, and departed origins past their grace period are forgotten. Returns the casts now
     * deliverable, in order.
     */
    public List<Cast> onTick(long nowNanos) {
        List<Cast> out = new ArrayList<>();
        for (Iterator<NodeId> it = holding.iterator(); it.hasNext(); ) {
            Origin o = origins.get(it.next());
            Held head;
            while ((head = o.oldestHead()) != null && nowNanos - (head.arrivedNanos + gapTimeoutNanos) >= 0) {
                giveUpBlocker(o, head, out);
            }
            if (o.held() == 0) {
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
     * {@code origin} left or failed. Its casts are delivered until it has been silent for a grace
     * period of two gap timeouts; then its state is dropped and later casts from it are refused.
     * Also for an origin not heard from yet: the departure notice can overtake its casts.
     */
    public void onOriginDown(NodeId origin, long nowNanos) {
        departedAt.putIfAbsent(origin, nowNanos);
    }

    /**
     * This node rejoined as its next incarnation, whose mark key is {@code newSelfKey}. The
     * others number their direct casts to the new incarnation from 1 and mark broadcasts with the
     * new key, so every origin's direct numbering starts over: direct casts held for the old
     * incarnation are given up, and held broadcasts no longer wait for them. Returns the casts
     * now deliverable, in order.
     */
    public List<Cast> onSelfRenewed(long newSelfKey) {
        selfKey = newSelfKey;
        List<Cast> out = new ArrayList<>();
        for (Map.Entry<NodeId, Origin> e : origins.entrySet()) {
            Origin o = e.getValue();
            long givenUp = o.heldDirects.size();
            if (givenUp > 0) {
                listener.skipped(givenUp);
                o.heldDirects.clear();
            }
            o.directs = 0;
            for (Held h : o.heldBroadcasts.values()) {
                h.needs = 0;
            }
            drain(o, out);
            track(e.getKey(), o);
        }
        return out;
    }

    /** Whether {@code origin}'s casts would still be taken: it is tracked, or departed and in its grace period. */
    public boolean tracks(NodeId origin) {
        return origins.containsKey(origin) || departedAt.containsKey(origin);
    }

    /** The earliest time {@link #onTick} has work to do. */
    public OptionalLong nextDeadline() {
        long next = Long.MAX_VALUE;
        for (NodeId id : holding) {
            next = Math.min(next, origins.get(id).oldestHead().arrivedNanos + gapTimeoutNanos);
        }
        for (long at : departedAt.values()) {
            next = Math.min(next, at + 2 * gapTimeoutNanos);
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** Casts held waiting, over every origin. */
    public int held() {
        int n = 0;
        for (NodeId id : holding) {
            n += origins.get(id).held();
        }
        return n;
    }

    private void track(NodeId id, Origin o) {
        if (o.held() == 0) {
            if (!holding.isEmpty()) { // no hashing per cast while nothing is held anywhere
                holding.remove(id);
            }
        } else {
            holding.add(id);
        }
    }

    private static void advance(Origin o, boolean broadcast) {
        if (broadcast) {
            o.broadcasts++;
        } else {
            o.directs++;
        }
    }

    /** Delivers every held cast whose turn has come, in order. */
    private void drain(Origin o, List<Cast> out) {
        boolean progress = true;
        while (progress) {
            progress = false;
            Map.Entry<Long, Held> b = o.heldBroadcasts.firstEntry();
            if (b != null && b.getKey() == o.broadcasts + 1 && b.getValue().needs <= o.directs) {
                o.heldBroadcasts.pollFirstEntry();
                o.broadcasts++;
                out.add(b.getValue().cast);
                progress = true;
            }
            Map.Entry<Long, Held> d = o.heldDirects.firstEntry();
            if (d != null && d.getKey() == o.directs + 1 && d.getValue().needs <= o.broadcasts) {
                // A direct cast belongs exactly after the broadcast it names: once a later
                // broadcast has gone (given up, so it could not wait for it), it is too late.
                o.heldDirects.pollFirstEntry();
                o.directs++;
                if (d.getValue().needs == o.broadcasts) {
                    out.add(d.getValue().cast);
                } else {
                    listener.skipped(1);
                }
                progress = true;
            }
        }
    }

    /** Gives up what {@code head} waits for (a gap in its own sequence, or the cast it needs from the other), then delivers what follows. */
    private void giveUpBlocker(Origin o, Held head, List<Cast> out) {
        boolean broadcast = head.cast instanceof Broadcast;
        long delivered = broadcast ? o.broadcasts : o.directs;
        if (head.cast.seq() > delivered + 1) {
            skip(o, broadcast, head.cast.seq() - 1);
        } else {
            // It is next in its own sequence and waits for the other one.
            TreeMap<Long, Held> other = broadcast ? o.heldDirects : o.heldBroadcasts;
            long otherDelivered = broadcast ? o.directs : o.broadcasts;
            if (!other.isEmpty() && other.firstKey() == otherDelivered + 1) {
                // The other sequence's next cast is here but waits in turn: the marks disagree
                // (two receivers share a key, or earlier casts were given up). Break the tie.
                head.needs = broadcast ? 0 : o.broadcasts;
            } else if (!other.isEmpty() && other.firstKey() <= head.needs) {
                skip(o, !broadcast, other.firstKey() - 1);
            } else {
                skip(o, !broadcast, head.needs);
            }
        }
        drain(o, out);
    }

    /** Gives up every number of one sequence up to {@code upTo}, held or not. */
    private void skip(Origin o, boolean broadcast, long upTo) {
        long delivered = broadcast ? o.broadcasts : o.directs;
        if (upTo <= delivered) {
            return;
        }
        listener.skipped(upTo - delivered);
        (broadcast ? o.heldBroadcasts : o.heldDirects).headMap(upTo, true).clear();
        if (broadcast) {
            o.broadcasts = upTo;
        } else {
            o.directs = upTo;
        }
    }

    private void forget(NodeId id, List<Cast> out) {
        Origin o = origins.remove(id);
        if (o != null) {
            Held head;
            while ((head = o.oldestHead()) != null) {
                giveUpBlocker(o, head, out); // deliver what is held rather than lose it with the state
            }
        }
        holding.remove(id);
        incarnations.remove(NodeKey.of(id), id);
        forgotten.add(id);
        if (forgotten.size() > FORGOTTEN_CAPACITY) {
            Iterator<NodeId> oldest = forgotten.iterator();
            oldest.next();
            oldest.remove();
        }
    }
}
