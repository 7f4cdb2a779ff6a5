package io.hyphae.strategy.gossip;

/** Why a datagram was dropped; {@link #tag()} is the {@code reason} tag of the rejection meter. */
enum RejectReason {
    /** Not exactly one well-formed packet of a version this node speaks. */
    MALFORMED("malformed"),
    /** A well-formed packet of another cluster sharing the group and port. */
    WRONG_CLUSTER("wrong-cluster"),
    /** The HMAC does not match: a forgery, a corrupted packet, or a node with another secret. */
    BAD_MAC("bad-mac"),
    /** The timestamp is further from this node's clock than the allowed skew. */
    STALE("stale"),
    /** The nonce was already seen within the window: an exact copy of an earlier packet. */
    REPLAYED("replayed"),
    /** This node's own packet, looped back by the network stack. */
    OWN("own"),
    /** A new peer while the peer table is at its bound. */
    TOO_MANY_PEERS("too-many-peers");

    private final String tag;

    RejectReason(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }
}
