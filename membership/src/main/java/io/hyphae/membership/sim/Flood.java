package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.TimerKey;
import io.hyphae.membership.overlay.OverlayNotification;
import java.util.Arrays;
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
    /** The active view as the simulator's node numbers, for the per-hop fast path. */
    private int[] neighbours = new int[6];
    private NodeId[] neighbourIds = new NodeId[6];
    private int neighbourCount;
    /** Broadcasts delivered here, one bit per sequence number. */
    private long[] seen = new long[1];
    private final int[] recentSeq = new int[RECENT];
    private final long[] recentAt = new long[RECENT];
    private int recentNext;

    public Flood(SimContext ctx, FloodStats stats, long resendWindowMillis) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.resendWindowMillis = resendWindowMillis;
        Arrays.fill(recentAt, Long.MIN_VALUE);
    }

    /** Starts broadcast {@code seq} (from {@link FloodStats#newBroadcast}) at this node. */
    public void broadcast(int seq) {
        deliver(seq);
        forward(stats.message(seq), -1);
    }

    @Override
    public void onMessage(NodeId from, Object message) {
        if (message instanceof FloodMessage m) {
            if (hasSeen(m.seq())) {
                stats.duplicate();
                return;
            }
            deliver(m.seq());
            forward(m, addressOfNeighbour(from));
        }
    }

    @Override
    public void onNotification(Notification notification) {
        if (notification instanceof OverlayNotification.NeighbourUp up) {
            if (neighbourCount == neighbours.length) {
                neighbours = Arrays.copyOf(neighbours, neighbourCount * 2);
                neighbourIds = Arrays.copyOf(neighbourIds, neighbourCount * 2);
            }
            neighbourIds[neighbourCount] = up.peer();
            neighbours[neighbourCount++] = ctx.addressOf(up.peer());
            long now = ctx.nowMillis();
            for (int i = 0; i < RECENT; i++) {
                if (recentAt[i] != Long.MIN_VALUE && now - recentAt[i] <= resendWindowMillis) {
                    ctx.send(up.peer(), stats.message(recentSeq[i]));
                    stats.sent();
                }
            }
        } else if (notification instanceof OverlayNotification.NeighbourDown down) {
            int gone = ctx.addressOf(down.peer());
            for (int i = 0; i < neighbourCount; i++) {
                if (neighbours[i] == gone) {
                    neighbourCount--;
                    neighbours[i] = neighbours[neighbourCount];
                    neighbourIds[i] = neighbourIds[neighbourCount];
                    neighbourIds[neighbourCount] = null;
                    break;
                }
            }
        }
    }

    @Override
    public void onTimer(TimerKey timer) {
        // no timers
    }

    /** The sender's node number; found by identity first, as the simulator hands out one NodeId instance per node. */
    private int addressOfNeighbour(NodeId from) {
        for (int i = 0; i < neighbourCount; i++) {
            if (neighbourIds[i] == from) {
                return neighbours[i];
            }
        }
        return ctx.addressOf(from);
    }

    private boolean hasSeen(int seq) {
        int w = seq >>> 6;
        return w < seen.length && (seen[w] & (1L << seq)) != 0;
    }

    private void deliver(int seq) {
        int w = seq >>> 6;
        if (w >= seen.length) {
            seen = Arrays.copyOf(seen, Math.max(w + 1, seen.length * 2));
        }
        seen[w] |= 1L << seq;
        recentSeq[recentNext] = seq;
        recentAt[recentNext] = ctx.nowMillis();
        recentNext = (recentNext + 1) % RECENT;
        stats.delivered(seq, ctx.nowMillis());
    }

    private void forward(FloodMessage m, int except) {
        for (int i = 0; i < neighbourCount; i++) {
            int peer = neighbours[i];
            if (peer != except) {
                ctx.sendTo(peer, m);
                stats.sent();
            }
        }
    }
}
