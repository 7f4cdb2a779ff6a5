package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.TimerKey;
import io.hyphae.membership.overlay.OverlayNotification;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Broadcast by flooding the active view, the dissemination the HyParView paper measures
 * (DSN 2007, section 5): the first time a node receives a message it delivers it and forwards
 * it to every neighbour but the one it came from. A message a node received within the last
 * {@code resendWindowMillis} is also sent to a neighbour that replaces a failed one, so a
 * broadcast in flight during a repair reaches the nodes the failure cut off (the paper's
 * "the message is forwarded to the new neighbour"; Plumtree does the same with IHAVE).
 *
 * <p>This is a measuring instrument for the simulator, not a product broadcast: Plumtree is.
 */
public final class Flood implements SimLayer {

    /** A flooded message; one shared instance per broadcast, so a hop allocates nothing. */
    public record FloodMessage(int seq) {
    }

    private static final int RECENT = 8;

    private final SimContext ctx;
    private final FloodStats stats;
    private final long resendWindowMillis;
    private final List<NodeId> neighbours = new ArrayList<>(6);
    private final BitSet seen = new BitSet();
    private final int[] recentSeq = new int[RECENT];
    private final long[] recentAt = new long[RECENT];
    private int recentNext;

    public Flood(SimContext ctx, FloodStats stats, long resendWindowMillis) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.resendWindowMillis = resendWindowMillis;
        java.util.Arrays.fill(recentAt, Long.MIN_VALUE);
    }

    /** Starts broadcast {@code seq} (from {@link FloodStats#newBroadcast}) at this node. */
    public void broadcast(int seq) {
        deliver(seq);
        forward(stats.message(seq), null);
    }

    @Override
    public void onMessage(NodeId from, Object message) {
        if (message instanceof FloodMessage m) {
            if (seen.get(m.seq())) {
                stats.duplicate();
                return;
            }
            deliver(m.seq());
            forward(m, from);
        }
    }

    @Override
    public void onNotification(Notification notification) {
        if (notification instanceof OverlayNotification.NeighbourUp up) {
            neighbours.add(up.peer());
            long now = ctx.nowMillis();
            for (int i = 0; i < RECENT; i++) {
                if (recentAt[i] != Long.MIN_VALUE && now - recentAt[i] <= resendWindowMillis) {
                    ctx.send(up.peer(), stats.message(recentSeq[i]));
                    stats.sent();
                }
            }
        } else if (notification instanceof OverlayNotification.NeighbourDown down) {
            neighbours.remove(down.peer());
        }
    }

    @Override
    public void onTimer(TimerKey timer) {
        // no timers
    }

    private void deliver(int seq) {
        seen.set(seq);
        recentSeq[recentNext] = seq;
        recentAt[recentNext] = ctx.nowMillis();
        recentNext = (recentNext + 1) % RECENT;
        stats.delivered(seq, ctx.nowMillis());
    }

    private void forward(FloodMessage m, NodeId except) {
        for (int i = 0, n = neighbours.size(); i < n; i++) {
            NodeId peer = neighbours.get(i);
            if (!peer.equals(except)) {
                ctx.send(peer, m);
                stats.sent();
            }
        }
    }
}
