package io.hyphae.rpc.spi;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcWireCodec;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How RPC frames travel. The transport and Plumtree implement it; they encode frames with
 * {@link RpcWireCodec} (protocol id 16) and authenticate the peer, so {@code from} below is a
 * proven identity.
 *
 * <p>{@link #send} and {@link #broadcast} may be called from any thread, concurrently, and must
 * not block (no connect, no write-and-wait) and must not call the {@link Inbound} back from
 * inside themselves.
 */
public interface Messaging {

    /** What became of a frame handed to {@link #send}. */
    enum SendOutcome {
        /**
         * Queued on a link that is up or being opened. If that link then fails (refused, handshake
         * failed, closed) before the frame is written, {@link Inbound#linkLost} for the node follows.
         */
        ACCEPTED,
        /** Known unreachable right now (no address, refused moments ago, this node stopping): nothing was queued. */
        UNREACHABLE
    }

    /**
     * Sends one frame to one node, opening a link on demand if none is up. Frames to one node are
     * written in the order handed over while one link lasts. The message must reach exactly the
     * incarnation {@code to} names: a peer that proves another incarnation of the same name is
     * not {@code to}, and the frame is reported lost through {@link Inbound#linkLost}.
     */
    SendOutcome send(NodeId to, RpcMessage message);

    /**
     * Hands a broadcast to the cluster-wide broadcast (Plumtree) to reach every other live member
     * (never this node: the RPC layer delivers its own share locally). Best effort: a receiver
     * may get it more than once, late, or out of order with other casts, and may miss it when
     * nodes fail mid-broadcast; the RPC layer numbers casts to drop duplicates and restore order.
     * The receiver gets it through {@link Inbound#received} with {@code from} set to the node
     * that relayed it; the broadcast names its origin itself.
     */
    void broadcast(RpcMessage.Broadcast broadcast);

    /**
     * Connects the RPC layer's inbound side. Called exactly once, before any other method;
     * frames that arrive earlier are dropped by the implementation.
     */
    void bind(Inbound inbound);

    /**
     * The single thread the RPC layer should keep its state on: an executor that runs every task
     * on one thread, the same thread for its whole life, and that {@link Inbound} is called
     * from (mostly: calls from other threads are handed to it). On a node this is the node's
     * event loop, so an inbound frame reaches the RPC state without a thread hand-off. Empty (the
     * default): the RPC layer runs a thread of its own.
     */
    default Optional<ScheduledExecutorService> eventLoop() {
        return Optional.empty();
    }

    /** Where the messaging side delivers. Calls come from I/O threads, possibly several at once; none blocks. */
    interface Inbound {

        /** A decoded RPC frame from {@code from} (for a broadcast cast, the relaying neighbour). */
        void received(NodeId from, RpcMessage message);

        /**
         * The link to {@code node} closed or could not be opened, so frames accepted for it may
         * not arrive and no reply will come back on it. Reported for every such link as soon as
         * it is known (a refused connect, a reset, an idle or keep-alive failure), before any
         * later link to the same node carries traffic.
         */
        void linkLost(NodeId node);
    }
}
