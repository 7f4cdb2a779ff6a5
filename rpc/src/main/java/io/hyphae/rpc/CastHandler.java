package io.hyphae.rpc;

import io.hyphae.membership.NodeId;

/**
 * Receives the messages of one {@link Topic}. Runs on the RPC handler executor; the messages of
 * one sender are handed over one at a time, in the order that sender sent them.
 */
@FunctionalInterface
public interface CastHandler<M> {

    /** @throws Exception logged and counted as a handler error; the sender is not told */
    void handle(NodeId sender, M message) throws Exception;
}
