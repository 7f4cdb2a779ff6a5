package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.TimerKey;

/**
 * What runs on one simulated node: usually an adapter that feeds a protocol core (or a stack
 * of them) and applies their effects through its {@link SimContext}. The simulator calls these
 * methods one at a time, on virtual time.
 */
public interface SimNode {

    void onMessage(NodeId from, Object message);

    void onLinkUp(NodeId peer);

    void onLinkDown(NodeId peer);

    /** An attempt to reach {@code peer} was refused: its process is gone. A link down unless the node cares. */
    default void onConnectionRefused(NodeId peer) {
        onLinkDown(peer);
    }

    void onTimer(TimerKey timer);
}
