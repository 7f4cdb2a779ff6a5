package io.hyphae.rpc.internal;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.transport.LinkDownReason;
import io.hyphae.membership.transport.LinkListener;
import io.hyphae.membership.transport.SendResult;
import io.hyphae.membership.transport.Transport;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.rpc.spi.Messaging;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcWireCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Messaging} over a {@link HyphaeNode}: direct frames on the transport's links (dialled
 * on demand), broadcasts over Plumtree on {@link Channels#RPC_ABCAST}.
 *
 * <p>Wired in {@link HyphaeNode#start}'s {@code beforeJoining} hook, before the node joins:
 * {@link #attach(Transport)}, then {@link #use(HyphaeNode)}. Frames arriving before the RPC layer
 * {@link #bind binds} (a peer cannot know the node that early) are dropped and logged.
 *
 * <p><b>Send path.</b> With a link up, the frame goes straight onto it from the caller's thread
 * ({@link Transport#send} is thread-safe and never blocks), which saves the hop to the event
 * loop on every request and reply. With none, {@link HyphaeNode#send} dials and queues; its future
 * failing (refused, handshake failed, another incarnation) is reported as
 * {@link Inbound#linkLost}, so a dead node is an answer within a connect attempt, not a timeout.
 * Link-down events of the transport are reported the same way.
 */
public final class NodeMessaging implements Messaging {

    private static final Logger log = LoggerFactory.getLogger(NodeMessaging.class);

    private final RpcWireCodec codec = new RpcWireCodec();
    private volatile Transport transport;
    private volatile HyphaeNode node;
    private volatile WireLimits limits = WireLimits.DEFAULT;
    private volatile Inbound inbound;
    // Peers with frames queued behind a dial, each with the future of the last such frame.
    private final Map<NodeId, CompletableFuture<Void>> dialing = new ConcurrentHashMap<>();

    /** In the {@code beforeJoining} hook: registers the RPC codec and listens for links going down. */
    public void attach(Transport transport, WireLimits limits) {
        this.transport = transport;
        this.limits = limits;
        transport.register(codec, this::received);
        transport.addLinkListener(new LinkListener() {
            @Override
            public void linkUp(NodeId peer) {
            }

            @Override
            public void linkDown(NodeId peer, LinkDownReason reason) {
                Inbound in = inbound;
                if (in == null || closedGracefullyToLiveMember(peer, reason)) {
                    return;
                }
                in.linkLost(peer);
            }
        });
    }

    /**
     * A link closed with goodbyes both ways (idle, or the peer or this node closed it) to a
     * member that is still live: not a failure, and nothing was lost on it (the transport
     * delivers every frame queued before the goodbye). Calls waiting on that member are not
     * answered UNREACHABLE; their replies come back over a link the replying node dials (replies
     * are matched by call id and incarnation, not by link). A member that leaves is reported LEFT
     * by the directory; a crash closes the link without a goodbye (CONNECTION_LOST) and is
     * reported at once.
     */
    private boolean closedGracefullyToLiveMember(NodeId peer, LinkDownReason reason) {
        HyphaeNode n = node;
        return reason.graceful() && n != null && n.liveMembers().contains(peer);
    }

    /** In the {@code beforeJoining} hook too: subscribes to the RPC broadcast channel. */
    public void use(HyphaeNode node) {
        this.node = node;
        node.subscribe(Channels.RPC_ABCAST, this::deliveredBroadcast);
    }

    @Override
    public void bind(Inbound inbound) {
        this.inbound = inbound;
    }

    /** The node's event loop: the transport delivers frames on it, so the RPC state lives there too. */
    @Override
    public Optional<ScheduledExecutorService> eventLoop() {
        return Optional.of(transport.executor());
    }

    @Override
    public SendOutcome send(NodeId to, RpcMessage message) {
        // While a dial to `to` is pending, every frame goes behind it through the node (which
        // queues them in order until the handshake ends); writing straight to the new link
        // before that queue is flushed would overtake the queued frames.
        if (!dialing.containsKey(to)) {
            SendResult direct = transport.send(to, message);
            switch (direct) {
                case QUEUED:
                    return SendOutcome.ACCEPTED;
                case NO_LINK:
                case LINK_CLOSING: // its frames still arrive; later ones go on a new link
                    break;
                default:
                    // Backpressure or too large: nothing was queued, and no reply can come.
                    log.debug("RPC frame to {} not sent: {}", to, direct);
                    return SendOutcome.UNREACHABLE;
            }
        }
        CompletableFuture<Void> queued;
        try {
            queued = node.send(to, message);
        } catch (IllegalStateException e) {
            return SendOutcome.UNREACHABLE; // the node is closing
        }
        if (queued.isCompletedExceptionally()) {
            return SendOutcome.UNREACHABLE;
        }
        dialing.put(to, queued);
        // Async on the node's loop: the future may complete between the check above and here,
        // and the port must never call the RPC layer back from inside send. The futures of one
        // peer complete in send order, so once the last one registered completes, the queue
        // behind the dial is flushed and direct writes are safe again.
        queued.whenCompleteAsync((ok, failure) -> {
            dialing.remove(to, queued);
            if (failure != null) {
                log.debug("RPC link to {} failed: {}", to, failure.toString());
                inbound.linkLost(to);
            }
        }, transport.executor());
        return SendOutcome.ACCEPTED;
    }

    @Override
    public void broadcast(RpcMessage.Broadcast broadcast) {
        ByteBuf buf = Unpooled.buffer(64 + broadcast.payload().length);
        codec.encode(broadcast, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        node.broadcast(Channels.RPC_ABCAST, bytes);
    }

    private void received(NodeId from, RpcMessage message) {
        Inbound in = inbound;
        if (in == null) {
            log.debug("RPC frame from {} before the RPC layer bound; dropped", from);
            return;
        }
        in.received(from, message);
    }

    private void deliveredBroadcast(NodeId origin, byte[] payload) {
        HyphaeNode n = node;
        if (origin.sameNodeAs(n.self())) {
            return; // the RPC layer delivered its own share locally, under whatever incarnation
        }
        RpcMessage message;
        try {
            message = codec.decode(Unpooled.wrappedBuffer(payload), limits);
        } catch (MalformedFrameException e) {
            log.warn("malformed RPC broadcast from {} dropped: {}", origin, e.getMessage());
            return;
        }
        if (!(message instanceof RpcMessage.Broadcast)) {
            log.warn("RPC broadcast channel from {} carried a {}; dropped", origin, codec.typeName(message));
            return;
        }
        received(origin, message);
    }
}
