package io.hyphae.membership.transport;

import io.hyphae.membership.NodeId;

/**
 * Receives one protocol's messages. Called on {@link Transport#executor()}, one message at a
 * time, in the order the peer sent them.
 *
 * @param <M> the protocol's sealed message interface
 */
@FunctionalInterface
public interface InboundHandler<M> {

    void onMessage(NodeId from, M message);
}
