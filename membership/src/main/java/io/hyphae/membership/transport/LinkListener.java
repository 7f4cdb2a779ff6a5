package io.hyphae.membership.transport;

import io.hyphae.membership.NodeId;

/**
 * Hears about links coming up and going down. Called on {@link Transport#executor()}; for one
 * peer, up and down alternate, starting with up.
 */
public interface LinkListener {

    /** A handshake finished: messages to and from {@code peer} now flow. */
    void linkUp(NodeId peer);

    /** The link to {@code peer} is gone; messages sent to it from now on return {@link SendResult#NO_LINK}. */
    void linkDown(NodeId peer, LinkDownReason reason);
}
