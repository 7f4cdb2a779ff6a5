package io.hyphae.membership.overlay;

import io.hyphae.membership.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * The HyParView messages, named as in the paper (Leitão, Pereira, Rodrigues, "HyParView: a
 * membership protocol for reliable gossip-based broadcast", DSN 2007, section 4). The sender of
 * every message is the authenticated peer on the link, so it is not repeated inside; a message
 * names a node only when that node is not the sender (the joining node of a FORWARD_JOIN, the
 * origin of a SHUFFLE walk).
 */
public sealed interface HyParViewMessage {

    /** JOIN (section 4.2): the sender wants to enter the overlay through this contact node. */
    record Join() implements HyParViewMessage {
    }

    /**
     * FORWARD_JOIN (section 4.2): a random walk announcing {@code newNode}; {@code ttl} starts
     * at ARWL, the walk ends (the receiver takes {@code newNode} into its active view) at 0, and
     * the node where it equals PRWL keeps {@code newNode} in its passive view.
     */
    record ForwardJoin(NodeId newNode, int ttl) implements HyParViewMessage {
        public ForwardJoin {
            Objects.requireNonNull(newNode, "newNode");
            if (ttl < 0) {
                throw new IllegalArgumentException("ttl must be >= 0, was " + ttl);
            }
        }
    }

    /**
     * NEIGHBOR (section 4.3): asks the receiver to take the sender into its active view. A high
     * priority request (the sender's active view is empty) is always accepted; a low priority
     * one only when the receiver's active view has a free slot.
     */
    record Neighbor(boolean highPriority) implements HyParViewMessage {
    }

    /** The answer to NEIGHBOR (section 4.3): accepted, or rejected so the sender tries another node. */
    record NeighborReply(boolean accepted) implements HyParViewMessage {
    }

    /**
     * DISCONNECT (section 4.2): the sender dropped the receiver from its active view; the
     * receiver drops the sender too and keeps it in its passive view, unless {@code leaving}
     * says the sender is leaving the cluster for good.
     */
    record Disconnect(boolean leaving) implements HyParViewMessage {
    }

    /**
     * SHUFFLE (section 4.4): a random walk of {@code ttl} hops carrying {@code origin} and a
     * sample of ka active and kp passive nodes of the origin.
     */
    record Shuffle(NodeId origin, int ttl, List<NodeId> nodes) implements HyParViewMessage {
        public Shuffle {
            Objects.requireNonNull(origin, "origin");
            nodes = List.copyOf(nodes);
            if (ttl < 0) {
                throw new IllegalArgumentException("ttl must be >= 0, was " + ttl);
            }
        }
    }

    /** SHUFFLE_REPLY (section 4.4): as many passive nodes of the walk's last node as the SHUFFLE carried. */
    record ShuffleReply(List<NodeId> nodes) implements HyParViewMessage {
        public ShuffleReply {
            nodes = List.copyOf(nodes);
        }
    }
}
