package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.DirectMark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * How this node numbers its direct casts, per receiver: the last number each receiver got, and
 * which receivers got one since the last broadcast (the marks the next broadcast carries, so
 * those receivers keep the two in send order). Loop thread only.
 *
 * <p>A fan-out's targets are resolved to their receivers once and kept while the targets and the
 * live members are the same objects as last time: an abcast to all takes the membership's
 * snapshot, which stays one object until the membership changes, so a stream of abcasts looks
 * nothing up per target and cast (W3's profile: three map lookups and a set probe per target).
 */
final class DirectNumbering {

    /** One receiver of direct casts, with where its casts are gathered until they leave. */
    static final class Receiver {
        final NodeId node;
        final CastOutbox.Batch outbox;
        private long seq;
        private boolean marked;

        private Receiver(NodeId node, CastOutbox.Batch outbox) {
            this.node = node;
            this.outbox = outbox;
        }
    }

    /**
     * The targets of a fan-out, resolved.
     *
     * @param others the receivers that are live members, other than this node
     * @param self whether this node is among the targets (its share is delivered locally)
     * @param notMembers targets that are not live members (not sent; counted as dropped)
     */
    record Fanout(List<Receiver> others, boolean self, int notMembers) {
    }

    private final Function<NodeId, CastOutbox.Batch> outboxes;
    private final Map<NodeId, Receiver> receivers = new HashMap<>();
    // In the order they first got a cast since the last broadcast.
    private final List<Receiver> sinceBroadcast = new ArrayList<>();
    private Collection<NodeId> lastTargets;
    private Set<NodeId> lastMembers;
    private Fanout last;

    /** @param outboxes the outbox batch of each receiver */
    DirectNumbering(Function<NodeId, CastOutbox.Batch> outboxes) {
        this.outboxes = outboxes;
    }

    /** The receivers of {@code targets} that are in {@code members}; {@code self} is this node's identity now. */
    Fanout resolve(Collection<NodeId> targets, Set<NodeId> members, NodeId self) {
        if (targets == lastTargets && members == lastMembers) {
            return last;
        }
        List<Receiver> others = new ArrayList<>(targets.size());
        boolean toSelf = false;
        int notMembers = 0;
        for (NodeId target : targets) {
            if (!members.contains(target)) {
                notMembers++;
            } else if (target.equals(self)) {
                toSelf = true;
            } else {
                others.add(receivers.computeIfAbsent(target, t -> new Receiver(t, outboxes.apply(t))));
            }
        }
        lastTargets = targets;
        lastMembers = members;
        last = new Fanout(others, toSelf, notMembers);
        return last;
    }

    /** The number of the next direct cast to {@code r}; it will be marked in the next broadcast. */
    long next(Receiver r) {
        r.seq++;
        if (!r.marked) {
            r.marked = true;
            sinceBroadcast.add(r);
        }
        return r.seq;
    }

    /** The marks the next broadcast carries: each receiver of a direct cast since the last one, with the last number it got. */
    List<DirectMark> marks() {
        List<DirectMark> marks = new ArrayList<>(sinceBroadcast.size());
        for (Receiver r : sinceBroadcast) {
            marks.add(new DirectMark(DirectMark.keyOf(r.node), r.seq));
        }
        return marks;
    }

    /** A broadcast carrying {@link #marks()} was sent: none are owed until the next direct cast. */
    void marksSent() {
        for (Receiver r : sinceBroadcast) {
            r.marked = false;
        }
        sinceBroadcast.clear();
    }

    /** {@code node} left the cluster: a later incarnation of it is numbered afresh. */
    void forget(NodeId node) {
        Receiver r = receivers.remove(node);
        if (r != null && r.marked) {
            sinceBroadcast.remove(r);
        }
        lastTargets = null;
    }

    /** This node became a new incarnation: every receiver is numbered from 1 again. */
    void reset() {
        receivers.clear();
        sinceBroadcast.clear();
        lastTargets = null;
    }
}
