package io.hyphae.strategy.gossip;

/** How heartbeats reach the other nodes. */
public enum GossipMode {
    /** UDP multicast to a group; crosses routers up to the TTL where multicast routing is on. */
    MULTICAST,
    /** UDP broadcast to one subnet's broadcast address, for networks that filter multicast. */
    BROADCAST
}
