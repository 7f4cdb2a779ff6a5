package io.hyphae.strategy.gossip;

/** What {@link PacketFilter} decided about one datagram. */
sealed interface Verdict permits Verdict.Accepted, Verdict.Rejected {

    /** An authentic, fresh, first-seen packet of this cluster from another node. */
    record Accepted(GossipPacket packet) implements Verdict {
    }

    /** Dropped for {@code reason}; {@code detail} says what exactly, for the log. */
    record Rejected(RejectReason reason, String detail) implements Verdict {
    }
}
