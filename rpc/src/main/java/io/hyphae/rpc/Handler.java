package io.hyphae.rpc;

import io.hyphae.membership.NodeId;

/**
 * Serves one {@link Endpoint}. Runs on the RPC handler executor, never on an I/O thread, and
 * may run on several threads at once for different requests.
 */
@FunctionalInterface
public interface Handler<Q, R> {

    /**
     * @param caller the node that made the call (this node for its own share of a multicall)
     * @return the reply; must not be null
     * @throws Exception any exception is sent back to the caller as {@code HANDLER_THREW} with its message
     */
    R handle(NodeId caller, Q request) throws Exception;
}
