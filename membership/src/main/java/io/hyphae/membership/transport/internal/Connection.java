package io.hyphae.membership.transport.internal;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.HandshakeException;
import io.hyphae.membership.transport.HandshakeFailure;
import io.hyphae.membership.transport.LinkDownReason;
import io.hyphae.membership.transport.SendResult;
import io.hyphae.membership.transport.internal.ControlMessage.Challenge;
import io.hyphae.membership.transport.internal.ControlMessage.Goodbye;
import io.hyphae.membership.transport.internal.ControlMessage.Heartbeat;
import io.hyphae.membership.transport.internal.ControlMessage.Hello;
import io.hyphae.membership.transport.internal.ControlMessage.Proof;
import io.hyphae.membership.transport.internal.ControlMessage.Reject;
import io.hyphae.membership.transport.internal.ControlMessage.Welcome;
import io.hyphae.membership.transport.internal.HandshakeProof.Role;
import io.hyphae.membership.wire.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: its handshake, then its frames. The last handler of the pipeline; runs on
 * the transport's event loop, so its fields need no locks ({@link #write}, callable from any
 * thread, reads only the channel).
 *
 * <p>Every way a connection ends goes through {@code channelInactive}, which hands it to
 * {@link NettyTransport#connectionClosed}: one place decides about link-down events.
 *
 * <p><b>Graceful close ({@link #drain}).</b> The closing side stops taking sends
 * ({@link SendResult#LINK_CLOSING}), waits until every send already taken has handed its frame
 * to Netty, then queues a {@link Goodbye} behind them. The peer, on that goodbye, does the same
 * and answers with its own. Both keep reading until they hold the other's goodbye, and a side
 * closes the socket once it has sent and received one: each side has then read everything the
 * other sent, so the close (a FIN with empty buffers, never a reset) loses nothing. Nothing is
 * written after a goodbye, not even a heartbeat. {@link TransportConfig#closeTimeout()} bounds
 * the wait for a peer that never answers.
 *
 * <p><b>A successor.</b> A new connection to the same peer that comes up while this one drains
 * (the tie-break's winner, or a link dialled beside a closing one) holds the frames it reads,
 * and stops reading, until this one has delivered the peer's goodbye or closed: frames keep the
 * order they were sent in across the swap.
 */
final class Connection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final int CLOSED_TO_SENDS = 1 << 30;
    /** Heartbeat timeouts in a row a link may be given more while this node's loop lags. */
    static final int LAG_PATIENCE = 3;

    enum State { AWAIT_HELLO, AWAIT_CHALLENGE, AWAIT_PROOF, AWAIT_WELCOME, ESTABLISHED }

    private final NettyTransport transport;
    private final boolean dialler;
    private final Optional<HostAndPort> dialled;
    private final Optional<CompletableFuture<NodeId>> dialResult;
    /** {@link #CLOSED_TO_SENDS} once draining, plus the number of {@link #write}s in progress. */
    private final AtomicInteger sendGate = new AtomicInteger();
    private final byte[] myNonce;
    /** Set by every frame that counts as use, either way; cleared by the idle sweep. */
    private volatile boolean used;

    private Channel channel;
    private State state;
    private NodeId peer;
    private byte[] peerNonce;
    /** Closing without a goodbye (bad input, a failed handshake, a dead peer): reads stop. */
    private boolean closing;
    /** Closing with goodbyes both ways: reads go on until the peer's goodbye. */
    private boolean draining;
    private boolean goodbyeQueued;
    private boolean goodbyeWritten;
    private boolean goodbyeReceived;
    /** The connection this one replaces while that one drains; null once it is done. */
    private Connection predecessor;
    private Connection successor;
    private final ArrayDeque<ByteBuf> heldFrames = new ArrayDeque<>();
    private Optional<LinkDownReason> downReason = Optional.empty();
    /** Completes once {@link NettyTransport#connectionClosed} has handled this connection's end. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private ScheduledFuture<?> handshakeTimeout;
    /** Heartbeat timeouts passed over in a row because this node lagged ({@link #readerIdle}); reset by a frame. */
    private int lateTimeouts;

    /** An accepted connection. */
    Connection(NettyTransport transport) {
        this(transport, false, Optional.empty(), Optional.empty());
    }

    /** A connection this node dials; {@code result} completes when its handshake ends. */
    Connection(NettyTransport transport, HostAndPort address, CompletableFuture<NodeId> result) {
        this(transport, true, Optional.of(address), Optional.of(result));
    }

    private Connection(NettyTransport transport, boolean dialler, Optional<HostAndPort> dialled,
                       Optional<CompletableFuture<NodeId>> dialResult) {
        this.transport = transport;
        this.dialler = dialler;
        this.dialled = dialled;
        this.dialResult = dialResult;
        this.myNonce = transport.nonce();
        this.state = dialler ? State.AWAIT_CHALLENGE : State.AWAIT_HELLO;
    }

    boolean dialler() {
        return dialler;
    }

    Optional<HostAndPort> dialled() {
        return dialled;
    }

    Optional<CompletableFuture<NodeId>> dialResult() {
        return dialResult;
    }

    /** The peer, once its Hello or Challenge arrived; null before. */
    NodeId peer() {
        return peer;
    }

    boolean established() {
        return state == State.ESTABLISHED;
    }

    Optional<LinkDownReason> downReason() {
        return downReason;
    }

    CompletableFuture<Void> closed() {
        return closed;
    }

    /** Closing gracefully: no new sends, the link is not up for new traffic. */
    boolean draining() {
        return draining;
    }

    /**
     * Up for new traffic: not closing gracefully, and its socket open. A socket closes (the peer
     * died, the link broke) a loop turn before its link-down runs; a dial in between must not be
     * handed this connection, whose sends would all be lost.
     */
    boolean upForTraffic() {
        return !draining && channel.isActive();
    }

    /** Whether a frame above the transport crossed it since the last {@link #clearUsed()}. */
    boolean used() {
        return used;
    }

    void clearUsed() {
        used = false;
    }

    void markUsed() {
        if (!used) {
            used = true; // read first: a store on every frame would bounce the cache line between threads
        }
    }

    // ---- lifecycle ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimeout = ctx.executor().schedule(
                () -> failHandshake(HandshakeFailure.TIMEOUT, "not finished within " + transport.config().handshakeTimeout()),
                transport.config().handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        transport.handshakeStarted(this);
        if (dialler && channel.pipeline().get(ChannelSetup.TLS) == null) {
            sendHello();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (state != State.ESTABLISHED) {
            failHandshake(HandshakeFailure.CLOSED, "connection closed by the peer");
        }
        releaseSuccessor();
        heldFrames.forEach(ByteBuf::release);
        heldFrames.clear();
        transport.connectionClosed(this);
        closed.complete(null);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent tls) {
            if (!tls.isSuccess()) {
                failHandshake(HandshakeFailure.TLS, String.valueOf(tls.cause().getMessage()));
            } else if (dialler) {
                sendHello();
            }
        } else if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                readerIdle();
            } else if (idle.state() == IdleState.WRITER_IDLE && !goodbyeQueued) {
                writeControl(new Heartbeat());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            reject(HandshakeFailure.FRAME_TOO_LARGE, "too_large", cause.getMessage());
        } else if (cause.getCause() instanceof SSLException) {
            // The TLS completion event usually reports this first; failHandshake logs only once.
            if (state != State.ESTABLISHED) {
                failHandshake(HandshakeFailure.TLS, cause.getCause().getMessage());
            } else {
                closeLink(LinkDownReason.MALFORMED_INPUT, "TLS error: " + cause.getCause().getMessage());
            }
        } else if (cause instanceof CorruptedFrameException) {
            reject(HandshakeFailure.MALFORMED, "malformed", cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("connection to {} broke: {}", channel.remoteAddress(), cause.toString());
            channel.close();
        } else {
            // A bug here, not the peer's fault: close, and let it reach the pipeline's tail, where
            // Netty logs it with its stack trace (and where the fuzz tests look for it).
            channel.close();
            ctx.fireExceptionCaught(cause);
        }
    }

    // ---- inbound frames ----

    /**
     * Nothing arrived for a heartbeat timeout. If this node's own loop ran its timers late within
     * that time, the silence may be its own doing (its heartbeats went out late, so the peer's
     * answers did too, or the peer shares the starved machine): the link gets another timeout
     * (the idle handler fires again after one), up to {@link #LAG_PATIENCE} times in a row,
     * so a peer that is really gone is still found while this node stays starved.
     */
    private void readerIdle() {
        Duration timeout = transport.config().heartbeatTimeout();
        if (lateTimeouts < LAG_PATIENCE && transport.loopLag().laggedWithin(timeout.toNanos())) {
            lateTimeouts++;
            transport.meters().lagExtension("heartbeat");
            log.debug("nothing received from {} for {}, but this node's loop lagged: one more timeout", peer, timeout);
            return;
        }
        closeLink(LinkDownReason.HEARTBEAT_TIMEOUT, "nothing received for " + timeout.multipliedBy(lateTimeouts + 1L));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        lateTimeouts = 0;
        try {
            if (closing) {
                return; // bytes after we decided to close: ignore, the socket is going
            }
            if (state == State.ESTABLISHED && predecessor != null) {
                heldFrames.add(frame.retain()); // the old connection first: see the class comment
                channel.config().setAutoRead(false);
            } else if (state == State.ESTABLISHED) {
                transport.frameReceived(this, frame);
            } else {
                handshakeFrame(frame);
            }
        } finally {
            frame.release();
        }
    }

    private void handshakeFrame(ByteBuf frame) {
        int bytes = frame.readableBytes() + Integer.BYTES;
        if (!frame.isReadable() || frame.readByte() != ControlCodec.PROTOCOL_ID) {
            failHandshake(HandshakeFailure.MALFORMED, "a frame other than the handshake arrived before it finished");
            return;
        }
        OptionalInt version = ControlCodec.peekVersion(frame);
        if (version.isPresent() && version.getAsInt() != ControlMessage.PROTOCOL_VERSION) {
            rejectHandshake(ControlMessage.Reason.INCOMPATIBLE_VERSION, HandshakeFailure.INCOMPATIBLE_VERSION,
                    "peer speaks transport version " + version.getAsInt() + ", this node " + ControlMessage.PROTOCOL_VERSION);
            return;
        }
        ControlMessage m;
        try {
            m = ControlCodec.INSTANCE.decode(frame, transport.config().wireLimits());
        } catch (MalformedFrameException e) {
            failHandshake(HandshakeFailure.MALFORMED, e.getMessage());
            return;
        }
        transport.countInbound(transport.protocols().control(), m, bytes);
        if (m instanceof Reject r) {
            peerRejected(r.reason());
        } else if (state == State.AWAIT_HELLO && m instanceof Hello h) {
            onHello(h);
        } else if (state == State.AWAIT_CHALLENGE && m instanceof Challenge c) {
            onChallenge(c);
        } else if (state == State.AWAIT_PROOF && m instanceof Proof p) {
            onProof(p);
        } else if (state == State.AWAIT_WELCOME && m instanceof Welcome) {
            becomeEstablished();
            transport.established(this);
        } else {
            failHandshake(HandshakeFailure.MALFORMED, ControlCodec.INSTANCE.typeName(m) + " out of order (expecting the step after " + state + ")");
        }
    }

    private void sendHello() {
        writeControl(new Hello(ControlMessage.PROTOCOL_VERSION, transport.config().clusterName(), transport.self(), myNonce));
    }

    private void onHello(Hello h) {
        if (!admissible(h.clusterName(), h.sender())) {
            return;
        }
        peer = h.sender();
        peerNonce = h.nonce();
        byte[] proof = transport.proofs().prove(Role.ACCEPTOR, transport.config().clusterName(), peer, transport.self(), peerNonce, myNonce);
        writeControl(new Challenge(ControlMessage.PROTOCOL_VERSION, transport.config().clusterName(), transport.self(), myNonce, proof));
        state = State.AWAIT_PROOF;
    }

    private void onChallenge(Challenge c) {
        if (!admissible(c.clusterName(), c.sender())) {
            return;
        }
        peer = c.sender();
        peerNonce = c.nonce();
        String cluster = transport.config().clusterName();
        if (!transport.proofs().verify(c.proof(), Role.ACCEPTOR, cluster, transport.self(), peer, myNonce, peerNonce)) {
            rejectHandshake(ControlMessage.Reason.BAD_PROOF, HandshakeFailure.BAD_PROOF, "the peer's proof does not match our cluster secret");
            return;
        }
        writeControl(new Proof(transport.proofs().prove(Role.DIALLER, cluster, transport.self(), peer, myNonce, peerNonce)));
        state = State.AWAIT_WELCOME;
    }

    private void onProof(Proof p) {
        String cluster = transport.config().clusterName();
        if (!transport.proofs().verify(p.proof(), Role.DIALLER, cluster, peer, transport.self(), peerNonce, myNonce)) {
            rejectHandshake(ControlMessage.Reason.BAD_PROOF, HandshakeFailure.BAD_PROOF, "the peer's proof does not match our cluster secret");
            return;
        }
        if (!transport.wouldKeep(this)) {
            closeAsDuplicate();
            return;
        }
        writeControl(new Welcome());
        becomeEstablished();
        transport.established(this);
    }

    /** Checks shared by both sides once the peer said who it is. */
    private boolean admissible(String clusterName, NodeId sender) {
        if (transport.faults().current().blocksLink(transport.self().name(), sender.name())) {
            // A cut network answers nothing: stay silent and let both ends' handshake timeouts fire.
            log.info("ignoring the handshake of {}: a fault rule cuts this node off from it", sender);
            return false;
        }
        if (!clusterName.equals(transport.config().clusterName())) {
            rejectHandshake(ControlMessage.Reason.WRONG_CLUSTER, HandshakeFailure.WRONG_CLUSTER,
                    "peer is in cluster '" + clusterName + "', this node in '" + transport.config().clusterName() + "'");
            return false;
        }
        if (sender.sameNodeAs(transport.self())) {
            rejectHandshake(ControlMessage.Reason.SELF_CONNECTION, HandshakeFailure.SELF_CONNECTION, "the peer is this node itself");
            return false;
        }
        if (transport.isStale(sender)) {
            rejectHandshake(ControlMessage.Reason.STALE_INCARNATION, HandshakeFailure.STALE_INCARNATION,
                    sender + " is older than the incarnation already linked");
            return false;
        }
        return true;
    }

    private void peerRejected(ControlMessage.Reason reason) {
        Optional<HandshakeFailure> failure = reason.failure();
        if (failure.isPresent()) {
            failHandshake(failure.get(), "the peer refused us: " + reason);
        } else if (state != State.AWAIT_WELCOME) {
            // Only an acceptor that checked our proof can know it has a better connection to us.
            // (Found by TransportFuzzTest: crash-2fae60d8… in diallerHandshake.)
            failHandshake(HandshakeFailure.MALFORMED, "DUPLICATE before the handshake reached that point");
        } else {
            transport.lostTieBreak(this);
            closing = true;
            channel.close();
        }
    }

    private void becomeEstablished() {
        state = State.ESTABLISHED;
        handshakeTimeout.cancel(false);
        var config = transport.config();
        channel.pipeline().addBefore(ChannelSetup.FLUSH, "idle", new IdleStateHandler(
                config.heartbeatTimeout().toNanos(), config.heartbeatInterval().toNanos(), 0, TimeUnit.NANOSECONDS));
        FaultHandler.sync(channel, transport.faults(), transport.meters(), transport.self().name(), peer.name());
    }

    // ---- ending ----

    /**
     * A handshake that will not finish: log it once with the peer's address, count it, fail the
     * dial, close. Later calls (the close itself, a timeout racing it) do nothing.
     */
    void failHandshake(HandshakeFailure reason, String detail) {
        if (closing || state == State.ESTABLISHED) {
            return;
        }
        closing = true;
        if (!transport.isClosing()) { // our own shutdown cutting handshakes short is no failure worth a warning
            log.warn("transport handshake with {} failed: {} ({})", channel.remoteAddress(), reason.tag(), detail);
            transport.meters().handshakeFailed(reason);
        }
        dialResult.ifPresent(f -> f.completeExceptionally(new HandshakeException(reason,
                "handshake with " + dialled.map(Object::toString).orElse("?") + " failed: " + reason.tag() + " (" + detail + ")")));
        channel.close();
    }

    /** Tells the peer why, then fails the handshake. */
    private void rejectHandshake(ControlMessage.Reason wireReason, HandshakeFailure reason, String detail) {
        if (!closing) {
            writeControl(new Reject(wireReason));
        }
        failHandshake(reason, detail);
    }

    /** Bad bytes: during the handshake a failed handshake, afterwards a rejected frame and a closed link. */
    void reject(HandshakeFailure duringHandshake, String frameReason, String detail) {
        if (state == State.ESTABLISHED) {
            if (!closing) {
                transport.meters().frameRejected(frameReason);
            }
            closeLink(LinkDownReason.MALFORMED_INPUT, detail);
        } else {
            failHandshake(duringHandshake, detail);
        }
    }

    /** Closes an established link for {@code reason}, logging it once. */
    void closeLink(LinkDownReason reason, String detail) {
        if (closing) {
            return;
        }
        closing = true;
        downReason = Optional.of(reason);
        log.warn("closing the link to {} at {}: {} ({})", peer, channel.remoteAddress(), reason.tag(), detail);
        channel.close();
    }

    /**
     * Closes an established link gracefully (see the class comment); {@code reason} is what its
     * link-down event will say, if this is still the link's connection when it closes.
     */
    void drain(LinkDownReason reason) {
        if (closing || draining) {
            return;
        }
        draining = true;
        downReason = Optional.of(reason);
        if (sendGate.getAndAdd(CLOSED_TO_SENDS) == 0) {
            // Behind the writes other threads handed to the loop before the gate closed.
            channel.eventLoop().execute(this::writeGoodbye);
        } // else the last write still in progress queues it (leaveGate)
        channel.eventLoop().schedule(() -> {
            if (channel.isActive()) {
                log.info("the link to {} did not finish closing within {}; closing its socket", peer, transport.config().closeTimeout());
                channel.close();
            }
        }, transport.config().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void writeGoodbye() {
        if (goodbyeQueued || closing || !channel.isActive()) {
            return;
        }
        goodbyeQueued = true;
        writeControl(new Goodbye()).addListener(f -> {
            goodbyeWritten = true;
            closeIfBothSaidGoodbye();
        });
    }

    /** The peer said goodbye: everything it sent is in; answer in kind once ours are out. */
    void goodbyeReceived() {
        goodbyeReceived = true;
        releaseSuccessor();
        drain(LinkDownReason.PEER_CLOSED);
        closeIfBothSaidGoodbye();
    }

    private void closeIfBothSaidGoodbye() {
        if (goodbyeWritten && goodbyeReceived) {
            channel.close();
        }
    }

    /** {@code next} replaces this draining connection; it reads nothing until this one is done. */
    void handOver(Connection next) {
        if (goodbyeReceived || !channel.isActive()) {
            return;
        }
        successor = next;
        next.predecessor = this;
    }

    private void releaseSuccessor() {
        Connection next = successor;
        successor = null;
        if (next != null) {
            next.predecessorDone();
        }
    }

    /** The connection this one replaced delivered its last frame: deliver the held ones, read on. */
    private void predecessorDone() {
        predecessor = null;
        while (!heldFrames.isEmpty() && !closing) {
            ByteBuf frame = heldFrames.poll();
            try {
                transport.frameReceived(this, frame);
            } finally {
                frame.release();
            }
        }
        if (channel.isActive()) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * This connection lost the one-link-per-pair tie-break; no link event either way. During the
     * handshake it is refused ({@code Reject(DUPLICATE)}: nothing was sent on it yet); once
     * established, frames may be in flight both ways, so it drains like any graceful close.
     */
    void closeAsDuplicate() {
        if (closing || draining) {
            return;
        }
        log.debug("keeping the other connection to {}; closing this one ({})", peer, channel.remoteAddress());
        transport.meters().handshakeDuplicate();
        if (state == State.ESTABLISHED) {
            drain(LinkDownReason.REPLACED);
            return;
        }
        closing = true;
        writeControl(new Reject(ControlMessage.Reason.DUPLICATE)).addListener(ChannelFutureListener.CLOSE);
    }

    Channel channel() {
        return channel;
    }

    // ---- outbound ----

    io.netty.channel.ChannelFuture writeControl(ControlMessage m) {
        Protocols.Registered<?> control = transport.protocols().control();
        ByteBuf frame = control.encodeFrame(channel.alloc(), m);
        transport.countOutbound(control, m, frame.readableBytes());
        return channel.writeAndFlush(frame);
    }

    /**
     * Queues an application message, within the link's byte bound. Safe from any thread. The
     * bound is Netty's own count of the channel's pending bytes (frames written but not yet on
     * the socket, and frames still in write tasks from other threads), held against a high water
     * mark of {@code outboundQueueBytes} ({@link NettyTransport}); two threads racing may each
     * pass the check, so the bound can be overshot by a frame per sending thread. The write takes
     * the channel's void promise: no promise and no listener per frame (a failed write reaches
     * {@link #exceptionCaught}, which closes the link, and the link-down event reports it).
     */
    SendResult write(Protocols.Registered<?> protocol, Object message) {
        if ((sendGate.incrementAndGet() & CLOSED_TO_SENDS) != 0) {
            leaveGate();
            transport.meters().sendDropped("link_closing");
            return SendResult.LINK_CLOSING;
        }
        try {
            if (transport.countsAsUse(protocol.codec.protocolId())) {
                markUsed();
            }
            return writeFrame(protocol, message);
        } finally {
            leaveGate();
        }
    }

    /** The last write to leave a closed gate queues the goodbye, behind its own frame. */
    private void leaveGate() {
        if (sendGate.decrementAndGet() == CLOSED_TO_SENDS) {
            channel.eventLoop().execute(this::writeGoodbye);
        }
    }

    private SendResult writeFrame(Protocols.Registered<?> protocol, Object message) {
        ByteBuf frame = protocol.encodeFrame(channel.alloc(), message);
        int size = frame.readableBytes();
        if (size - Integer.BYTES > transport.config().wireLimits().maxFrameBytes()) {
            frame.release();
            transport.meters().sendDropped("too_large");
            return SendResult.TOO_LARGE;
        }
        if (channel.bytesBeforeUnwritable() < size) {
            frame.release();
            if (!channel.isActive()) {
                // Not full but closed (a closed channel has no room): the peer died or the link
                // was closed, and the loop has not yet run its link-down. There is no link and
                // nothing was queued; the caller may dial a new one and send again.
                return SendResult.NO_LINK;
            }
            transport.meters().sendDropped("backpressure");
            transport.backpressureReached(this);
            return SendResult.DROPPED_BACKPRESSURE;
        }
        transport.countOutbound(protocol, message, size);
        channel.writeAndFlush(frame, channel.voidPromise());
        return SendResult.QUEUED;
    }
}
