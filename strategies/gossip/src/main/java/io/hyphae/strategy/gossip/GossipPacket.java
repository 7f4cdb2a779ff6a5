package io.hyphae.strategy.gossip;

import io.hyphae.membership.NodeId;
import java.util.Objects;

/**
 * The messages of the gossip discovery protocol: a periodic heartbeat, and a goodbye sent on a
 * graceful close so peers drop the sender at once instead of waiting for it to expire.
 */
sealed interface GossipPacket permits GossipPacket.Heartbeat, GossipPacket.Leaving {

    /** The cluster name the sender belongs to; packets of other clusters are dropped. */
    String cluster();

    /** Who sent it: the name, the address peers dial (the seed), and the incarnation. */
    NodeId sender();

    /** The sender's wall clock when it sent the packet, in milliseconds since the epoch. */
    long timestampMillis();

    Nonce nonce();

    /** "I am alive at this address." */
    record Heartbeat(String cluster, NodeId sender, long timestampMillis, Nonce nonce) implements GossipPacket {
        public Heartbeat {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(nonce, "nonce");
        }
    }

    /** "I am shutting down; forget me now." */
    record Leaving(String cluster, NodeId sender, long timestampMillis, Nonce nonce) implements GossipPacket {
        public Leaving {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(nonce, "nonce");
        }
    }
}
