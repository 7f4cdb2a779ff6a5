package io.hyphae.membership.transport;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.transport.internal.NettyTransport;
import io.hyphae.membership.wire.ProtocolCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Authenticated, framed TCP links between cluster nodes, at most one per pair of nodes.
 *
 * <p><b>Threading.</b> A transport is pinned to one event loop, {@link #executor()}. Every
 * callback it makes (inbound messages, link up, link down) and every future it completes runs
 * there, one at a time, so a protocol core driven from those callbacks needs no locks; schedule
 * its timers on the same executor. {@link #send}, {@link #connect}, {@link #disconnect} and
 * {@link #links} may be called from any thread.
 *
 * <p>See {@code docs/transport.md} for the wire format, the handshake and the meters.
 */
public interface Transport extends AutoCloseable {

    /**
     * Binds the listening socket and returns the running transport. Blocks until the socket is
     * bound, so never call it from a transport's executor.
     *
     * @param nodeName this node's name; with the bound (or advertised) address and a fresh
     *     incarnation it becomes {@link #self()}
     * @throws IllegalStateException if the config has no secret and is not in insecure development
     *     mode, or the address cannot be bound
     */
    static Transport start(TransportConfig config, String nodeName, MeterRegistry meters, TransportResources resources) {
        return NettyTransport.start(config, nodeName, meters, resources);
    }

    /** {@link #start(TransportConfig, String, MeterRegistry, TransportResources)} on {@link TransportResources#shared()}. */
    static Transport start(TransportConfig config, String nodeName, MeterRegistry meters) {
        return start(config, nodeName, meters, TransportResources.shared());
    }

    /**
     * This node: name, the address peers dial, and the current incarnation (this run's, or the
     * one {@link #renewIncarnation} took since).
     */
    NodeId self();

    /**
     * Takes the next incarnation of this node (same name and address), says goodbye on every
     * link and cuts short every handshake under way (it introduced the old identity): from now on
     * handshakes present the new identity, and peers treat the old one as gone. For a node the
     * cluster declared DOWN while it ran, which rejoins in place.
     * Call it on {@link #executor()}.
     *
     * @return the new identity
     */
    NodeId renewIncarnation();

    /**
     * The one thread every callback of this transport runs on; use it for the protocol's timers
     * too. It is shared with other transports, so it cannot be shut down from here.
     */
    ScheduledExecutorService executor();

    /**
     * How late the task now running on {@link #executor()} started, in milliseconds, if it was
     * scheduled there (a timer); call it from such a task. A loop that runs its timers late is
     * starved (an overloaded machine, a long GC pause): the node's own health, which its failure
     * detection takes into account (docs/transport.md, "Local health").
     */
    long loopLagMillis();

    /**
     * Routes inbound frames with {@code codec.protocolId()} to {@code handler}, and lets
     * {@link #send} encode {@code codec.messageType()}. Register every protocol before
     * connecting: a frame for an unregistered protocol is counted and dropped.
     *
     * @throws IllegalArgumentException if the id is taken (id 0 is the transport's own)
     */
    <M> void register(ProtocolCodec<M> codec, InboundHandler<M> handler);

    /**
     * Adds a listener of links coming up and going down. Link-up goes to the listeners in the
     * order they were added, link-down in the reverse order: the layer added last, above the
     * membership (RPC), answers the calls waiting on a lost peer before the membership repairs
     * its overlay on the same loop turn.
     */
    void addLinkListener(LinkListener listener);

    /**
     * Adds an owner whose links stay open while idle; see {@link LinkHolder}. Links of no holder
     * close after {@link TransportConfig#linkIdleTimeout()} without traffic.
     */
    void addLinkHolder(LinkHolder holder);

    /**
     * Tells the transport a holder let go of the link to {@code peer}: if nothing else holds or
     * uses it, it is closed now (gracefully, and only if the peer agrees: see
     * {@link LinkHolder}) rather than after an idle period. Any thread.
     */
    void release(NodeId peer);

    /**
     * Dials {@code address} and completes with the peer's identity once the handshake finished
     * (at once if a link to that address is already up; if the one there is closing, the new
     * connection is dialled once it closed). Fails with a {@link HandshakeException}
     * when the peer is refused or refuses us, or with the socket's exception when it cannot be
     * reached; with a {@link DialBackoffException}, at once and without dialling, while the
     * address is held after failed dials ({@link TransportConfig#reconnectBackoff()}).
     */
    CompletableFuture<NodeId> connect(HostAndPort address);

    /**
     * Tells the transport that {@code peer} was just heard of alive as a member (a new
     * incarnation, or the first time): a hold on its address after failed dials ends now, so a
     * send to it dials at once instead of failing for the rest of the backoff. The dials failed
     * while it was cut off or restarting; the news that it runs came by other nodes after that.
     * Any thread.
     */
    void peerAnnounced(NodeId peer);

    /**
     * Queues {@code message} for {@code to} (exactly that incarnation) without blocking.
     * Messages to one peer arrive in the order they were sent, also across a swap of the pair's
     * connection (the tie-break) or a new link dialled while the old one closes: the receiver
     * reads the new connection only after the old one delivered its last frame. A message this
     * returns {@link SendResult#QUEUED} for is delivered unless the connection breaks (reset,
     * heartbeat timeout, crash): a graceful close delivers it first.
     *
     * @throws IllegalArgumentException if no registered codec handles the message's type, or the
     *     codec cannot encode it (for example a string over 65,535 UTF-8 bytes)
     */
    SendResult send(NodeId to, Object message);

    /** Says goodbye to {@code peer} and closes the link; neither side redials it. */
    void disconnect(NodeId peer);

    /**
     * The fault injector of this transport's links: off (no handler, no cost) until a rule is
     * added. See {@code docs/fault-injection.md}.
     */
    FaultInjector faults();

    /** The peers with a link up now. */
    Set<NodeId> links();

    /** Says goodbye on every link, closes them and stops listening; waits at most {@code closeTimeout}. */
    @Override
    void close();
}
