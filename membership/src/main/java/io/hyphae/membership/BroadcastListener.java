package io.hyphae.membership;

/**
 * Receives the broadcasts of one channel (see {@link HyphaeNode#broadcast}). Called on the
 * node's event loop: return quickly, never block.
 */
@FunctionalInterface
public interface BroadcastListener {

    /**
     * One broadcast, delivered at most once per node, this node's own broadcasts included.
     *
     * @param origin the node that broadcast it
     * @param payload the bytes as sent; shared with the broadcast cache, so never modify them
     */
    void delivered(NodeId origin, byte[] payload);
}
