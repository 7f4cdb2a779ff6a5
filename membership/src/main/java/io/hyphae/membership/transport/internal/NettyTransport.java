package io.hyphae.membership.transport.internal;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.Incarnations;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.transport.BackpressurePolicy;
import io.hyphae.membership.transport.DialBackoffException;
import io.hyphae.membership.transport.HandshakeException;
import io.hyphae.membership.transport.HandshakeFailure;
import io.hyphae.membership.transport.InboundHandler;
import io.hyphae.membership.transport.LinkDownReason;
import io.hyphae.membership.transport.LinkHolder;
import io.hyphae.membership.transport.LinkListener;
import io.hyphae.membership.transport.SendResult;
import io.hyphae.membership.transport.Transport;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.membership.transport.IoEngine;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.membership.transport.internal.ControlMessage.Goodbye;
import io.hyphae.membership.transport.internal.ControlMessage.Heartbeat;
import io.hyphae.membership.transport.internal.ControlMessage.IdleClose;
import io.hyphae.membership.transport.internal.ControlMessage.Reject;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty implementation of {@link Transport}. All state but the link table is touched only on
 * {@link #loop}; the link table is a concurrent map so {@link #send} can run on any thread.
 *
 * <p><b>One link per pair.</b> A pair of nodes may hold two connections for a moment (both
 * dialled at once, or a redial racing an accept). The connection dialled by the smaller
 * {@link NodeId} wins; between two dialled by the same node, the first established wins. Both
 * ends apply the same rule, so they keep the same connection; the loser is closed with
 * {@code Reject(DUPLICATE)} during its handshake, or drained like a graceful close once
 * established (frames may be in flight on it both ways), and no link event. If the current
 * connection of a link drops, or is closed by the peer, while another connection to that peer is
 * still in its handshake (the two ends swapped in a different order), the link waits for it, up
 * to the handshake timeout, before going down.
 *
 * <p><b>Closing is graceful</b> ({@link Connection#drain}): a closing connection takes no new
 * sends, delivers what both sides queued, and may be replaced at once by a new connection to the
 * same peer, which reads only after the old one is done.
 *
 * <p><b>Link users.</b> {@link LinkHolder}s (the overlay) keep links open regardless of traffic;
 * every other link is kept while frames of protocols no holder accounts for (RPC's) cross it,
 * and a holder letting go of one ({@link #release}) proposes closing it at once. A sweep once per
 * {@link TransportConfig#linkIdleTimeout()} finds links that no holder here holds and no such
 * frame crossed since the last sweep, and proposes closing them ({@code IdleClose}); the peer
 * closes the link gracefully ({@link LinkDownReason#IDLE}) if it finds the same, so a link stays
 * open while either end holds or uses it.
 */
public final class NettyTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    /** A node regardless of incarnation: the key of the link table. */
    private record PeerKey(String name, HostAndPort address) {
        static PeerKey of(NodeId id) {
            return new PeerKey(id.name(), id.address());
        }
    }

    /**
     * The link to one peer; {@code current} is null while it waits for a replacement connection,
     * and {@code lost} is then the connection that dropped.
     */
    private static final class Link {
        final NodeId peer;
        volatile Connection current;
        Connection lost;

        Link(NodeId peer, Connection current) {
            this.peer = peer;
            this.current = current;
        }
    }

    private final TransportConfig config;
    private final EventLoop loop;
    private final IoEngine engine; // the loop's: a dialled channel must be of its type
    private final PinnedExecutor executor;
    /** Lag over a heartbeat interval: this loop wrote its heartbeats that late too. */
    private final LoopLag lag;
    private final TransportMeters meters;
    private final HandshakeProof proofs;
    private final Optional<TlsContexts> tls;
    private final Protocols protocols = new Protocols();
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final List<LinkHolder> holders = new CopyOnWriteArrayList<>();
    /** By protocol id: frames a holder accounts for, which do not count as use of a link. */
    private volatile boolean[] heldProtocols = new boolean[256];
    private final Map<PeerKey, Link> links = new ConcurrentHashMap<>();
    private final Set<Connection> handshaking = new LinkedHashSet<>();
    private final Map<HostAndPort, CompletableFuture<NodeId>> dialling = new HashMap<>();
    private final DialBackoff dialBackoff;
    private final Map<PeerKey, List<CompletableFuture<NodeId>>> awaitingLink = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Channel server;
    /** Written on the event loop only ({@link #renewIncarnation}); read by any thread. */
    private volatile NodeId self;
    private final FaultInjector faults;
    private final ScheduledFuture<?> idleSweep;
    private volatile boolean closing;

    private NettyTransport(TransportConfig config, String nodeName, MeterRegistry registry, TransportResources resources) {
        this.config = config;
        this.loop = resources.eventLoopGroup().next();
        this.engine = resources.engine();
        this.lag = new LoopLag(config.heartbeatInterval().toNanos());
        this.executor = new PinnedExecutor(loop, lag);
        this.proofs = new HandshakeProof(config.secret());
        this.dialBackoff = new DialBackoff(config.reconnectBackoff(), new SplittableRandom(random.nextLong()));
        this.tls = config.tls().map(TlsContexts::load);
        ChannelFuture bound = new ServerBootstrap()
                .group(loop) // one loop for the listener and every connection: the threading contract
                .channel(engine.serverChannel())
                .option(ChannelOption.AUTO_READ, false) // accept nothing until self() is known
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, outboundBound(config))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelSetup.init(ch, NettyTransport.this, tls, Optional.empty(), new Connection(NettyTransport.this));
                    }
                })
                .bind(config.bindAddress().host(), config.bindAddress().port())
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + config.bindAddress() + ": " + bound.cause().getMessage(), bound.cause());
        }
        this.server = bound.channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        this.self = new NodeId(nodeName,
                config.advertisedAddress().orElse(new HostAndPort(config.bindAddress().host(), port)), Incarnations.next());
        this.faults = new FaultInjector(nodeName, random.nextLong());
        this.meters = new TransportMeters(registry, nodeName, links::size, () -> faults.rules().size());
        faults.onChange(() -> {
            if (!loop.isShuttingDown()) {
                loop.execute(this::syncFaultHandlers);
            }
        });
        long sweep = config.linkIdleTimeout().toNanos();
        this.idleSweep = loop.scheduleAtFixedRate(this::closeIdleLinks, sweep, sweep, TimeUnit.NANOSECONDS);
        server.config().setAutoRead(true);
    }

    /** Netty counts a channel's pending outbound bytes; its high mark is the link's byte bound (Connection#write). */
    private static WriteBufferWaterMark outboundBound(TransportConfig config) {
        return new WriteBufferWaterMark(config.outboundQueueBytes() / 2, config.outboundQueueBytes());
    }

    /** See {@link Transport#start}. */
    public static NettyTransport start(TransportConfig config, String nodeName, MeterRegistry meters, TransportResources resources) {
        if (config.secret().isEmpty()) {
            if (!config.insecureDevelopmentMode()) {
                throw new IllegalStateException("no cluster secret configured for node '" + nodeName + "': refusing to start. "
                        + "Set a secret, or set insecureDevelopmentMode for a laptop-only cluster.");
            }
            log.warn("*** INSECURE DEVELOPMENT MODE: node '{}' accepts ANY peer that can reach {} without proof of a "
                    + "cluster secret. Never use this on a shared network. ***", nodeName, config.bindAddress());
        }
        NettyTransport t = new NettyTransport(config, nodeName, meters, resources);
        log.info("transport of {} listening on {}", t.self, t.server.localAddress());
        return t;
    }

    // ---- public API ----

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public NodeId renewIncarnation() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("renewIncarnation must run on the transport's event loop");
        }
        NodeId old = self;
        self = new NodeId(old.name(), old.address(), Incarnations.next());
        for (Link link : links.values()) {
            if (link.current != null) {
                link.current.drain(LinkDownReason.DISCONNECTED);
            }
        }
        // A handshake under way introduced this node by its old identity. Finished, it would give
        // the peer a link to the old incarnation, over which this node then sends as the new one
        // (the peer drops that as from a wrong origin, and answers dials for the new incarnation
        // with the old one) until the link happens to close. Cut short, the peer dials again.
        for (Connection c : List.copyOf(handshaking)) {
            c.failHandshake(HandshakeFailure.CLOSED, "begun by this node's previous incarnation " + old);
        }
        log.info("transport of {} is now {}", old, self);
        return self;
    }

    @Override
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public long loopLagMillis() {
        return lag.currentNanos() / 1_000_000;
    }

    LoopLag loopLag() {
        return lag;
    }

    @Override
    public <M> void register(ProtocolCodec<M> codec, InboundHandler<M> handler) {
        protocols.register(codec, handler);
    }

    @Override
    public void addLinkListener(LinkListener listener) {
        listeners.add(listener);
    }

    @Override
    public void addLinkHolder(LinkHolder holder) {
        boolean[] held = heldProtocols.clone();
        holder.protocols().forEach(id -> held[id & 0xFF] = true);
        heldProtocols = held;
        holders.add(holder);
    }

    @Override
    public void release(NodeId peer) {
        loop.execute(() -> {
            Link link = links.get(PeerKey.of(peer));
            Connection c = link == null || !link.peer.equals(peer) ? null : link.current;
            if (c != null && !c.draining() && idle(c)) {
                c.writeControl(new IdleClose());
            }
        });
    }

    /** Whether a frame of this protocol counts as use of its link (see {@link LinkHolder#protocols}). */
    boolean countsAsUse(byte protocolId) {
        return !heldProtocols[protocolId & 0xFF];
    }

    @Override
    public CompletableFuture<NodeId> connect(HostAndPort address) {
        CompletableFuture<NodeId> result = new CompletableFuture<>();
        loop.execute(() -> dial(address).whenComplete((id, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(id);
            }
        }));
        return result;
    }

    @Override
    public void peerAnnounced(NodeId peer) {
        if (loop.inEventLoop()) {
            dialBackoff.succeeded(peer.address());
        } else {
            loop.execute(() -> dialBackoff.succeeded(peer.address()));
        }
    }

    @Override
    public SendResult send(NodeId to, Object message) {
        Protocols.Registered<?> protocol = protocols.forMessage(message);
        Link link = links.get(PeerKey.of(to));
        Connection c = link == null ? null : link.current;
        if (c == null || link.peer.incarnation() != to.incarnation()) {
            return SendResult.NO_LINK;
        }
        return c.write(protocol, message);
    }

    @Override
    public void disconnect(NodeId peer) {
        loop.execute(() -> {
            Link link = links.get(PeerKey.of(peer));
            if (link != null && link.peer.equals(peer) && link.current != null) {
                link.current.drain(LinkDownReason.DISCONNECTED);
            }
        });
    }

    @Override
    public Set<NodeId> links() {
        return links.values().stream().filter(NettyTransport::isUp).map(l -> l.peer).collect(Collectors.toUnmodifiableSet());
    }

    /** Up for new traffic: a connection that is neither closing nor closed. */
    private static boolean isUp(Link l) {
        Connection c = l.current;
        return c != null && c.upForTraffic();
    }

    @Override
    public FaultInjector faults() {
        return faults;
    }

    @Override
    public void close() {
        if (loop.isShuttingDown()) {
            // The TransportResources were closed first: the sockets are gone already. The gauge
            // must still go, or a node restarted under the same name could not register its own.
            meters.close();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> shutdown(done));
        if (!loop.inEventLoop()) {
            try {
                // shutdown() forces the sockets closed after closeTimeout; give that a moment to land
                done.get(config.closeTimeout().plusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("transport of {} did not close within {}; sockets are closed anyway", self, config.closeTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("closing the transport of {} failed", self, e.getCause());
            }
        }
    }

    private void shutdown(CompletableFuture<Void> done) {
        if (closing) {
            done.complete(null);
            return;
        }
        closing = true;
        idleSweep.cancel(false);
        List<ChannelFuture> closed = new ArrayList<>();
        closed.add(server.close());
        for (Link link : List.copyOf(links.values())) {
            if (link.current != null) {
                link.current.drain(LinkDownReason.SHUTDOWN);
                closed.add(link.current.channel().closeFuture());
            }
        }
        for (Connection c : List.copyOf(handshaking)) {
            closed.add(c.channel().close());
        }
        // Goodbyes close their channels once written; a peer that never reads must not hold us up.
        loop.schedule(() -> closed.forEach(f -> f.channel().close()), config.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        CompletableFuture.allOf(closed.stream().map(NettyTransport::toCompletable).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> {
                    meters.close();
                    done.complete(null);
                });
    }

    private static CompletableFuture<Void> toCompletable(ChannelFuture f) {
        CompletableFuture<Void> c = new CompletableFuture<>();
        f.addListener(x -> c.complete(null));
        return c;
    }

    // ---- dialling and reconnecting (event loop only) ----

    private CompletableFuture<NodeId> dial(HostAndPort address) {
        Optional<Link> linked = links.values().stream().filter(l -> l.peer.address().equals(address)).findFirst();
        if (linked.isPresent() && isUp(linked.get())) {
            return CompletableFuture.completedFuture(linked.get().peer);
        }
        CompletableFuture<NodeId> inFlight = dialling.get(address);
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<NodeId> result = new CompletableFuture<>();
        if (linked.isPresent()) {
            PeerKey key = PeerKey.of(linked.get().peer);
            Connection closingNow = linked.get().current;
            if (handshakeInProgress(key)) {
                awaitLink(key, result); // a successor is on its way already (the peer dialled it)
                return result;
            }
            if (closingNow != null && !closing) {
                // Dial the successor once the closing connection is closed: the peer has then read
                // its last frame and our goodbye, so it takes the new connection in order and
                // without a tie-break against the old one.
                dialling.put(address, result);
                closingNow.closed().whenComplete((v, x) -> {
                    dialling.remove(address, result);
                    dial(address).whenComplete((id, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else {
                            result.complete(id);
                        }
                    });
                });
                return result;
            }
        }
        if (closing) {
            result.completeExceptionally(new IllegalStateException("transport is closed"));
            return result;
        }
        Optional<DialBackoff.Held> held = dialBackoff.held(address, System.nanoTime());
        if (held.isPresent()) {
            // Whoever asks (the overlay, a directory probe, RPC) hears at once that the address
            // failed a moment ago, instead of a new socket: that is what keeps a dial failing at
            // once (a blackhole route) from turning into a redial loop on this event loop.
            meters.dial("backing_off");
            DialBackoff.Held h = held.get();
            result.completeExceptionally(new DialBackoffException(address, h.failures(), h.remaining(), h.lastError()));
            return result;
        }
        meters.dial("started");
        dialling.put(address, result);
        result.whenComplete((id, e) -> {
            dialling.remove(address, result);
            if (e == null) {
                dialBackoff.succeeded(address);
            } else if (!closing) {
                meters.dial("failed");
                dialBackoff.failed(address, System.nanoTime(), e, answered(e));
                log.debug("dial to {} failed ({}); held for {}", address, e.toString(),
                        dialBackoff.held(address, System.nanoTime()).map(DialBackoff.Held::remaining).orElse(Duration.ZERO));
            }
        });
        Connection connection = new Connection(this, address, result);
        new Bootstrap()
                .group(loop)
                .channel(engine.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, outboundBound(config))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelSetup.init(ch, NettyTransport.this, tls, Optional.of(address), connection);
                    }
                })
                .connect(address.host(), address.port())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(f.cause());
                    }
                });
        return result;
    }

    /**
     * Whether the peer's host answered the failed dial: a refusal (nothing listens) or a failed
     * handshake (a process answered), as opposed to no answer (unreachable, a blackhole route, a
     * connect timeout). See {@link DialBackoff}.
     */
    private static boolean answered(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectTimeoutException) {
                return false;
            }
            if (t instanceof HandshakeException || t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** Redials a link that broke, with backoff and jitter, until it is back or the window closes. */
    private void reconnect(HostAndPort address, PeerKey key, int attempt, long deadlineNanos) {
        long delay = config.reconnectBackoff().delay(attempt, ThreadLocalRandom.current()).toNanos();
        loop.schedule(() -> {
            if (closing || links.containsKey(key)) {
                return;
            }
            dial(address).whenComplete((id, e) -> {
                if (e != null && !(e instanceof HandshakeException) && System.nanoTime() < deadlineNanos) {
                    reconnect(address, key, attempt + 1, deadlineNanos);
                } else if (e != null) {
                    log.info("gave up redialling {}: {}", address, e.getMessage());
                }
            });
        }, delay, TimeUnit.NANOSECONDS);
    }

    // ---- callbacks from connections (event loop only) ----

    TransportConfig config() {
        return config;
    }

    boolean isClosing() {
        return closing;
    }

    TransportMeters meters() {
        return meters;
    }

    HandshakeProof proofs() {
        return proofs;
    }

    Protocols protocols() {
        return protocols;
    }

    byte[] nonce() {
        byte[] n = new byte[ControlMessage.NONCE_BYTES];
        random.nextBytes(n);
        return n;
    }

    void handshakeStarted(Connection c) {
        if (closing) {
            c.channel().close();
            return;
        }
        handshaking.add(c);
    }

    /** True when a newer incarnation of {@code peer}'s node is linked already. */
    boolean isStale(NodeId peer) {
        Link link = links.get(PeerKey.of(peer));
        return link != null && link.peer.incarnation() > peer.incarnation();
    }

    /** Whether {@code c}, its proof checked, should become (or replace) the link to its peer. */
    boolean wouldKeep(Connection c) {
        Link link = links.get(PeerKey.of(c.peer()));
        return link == null
                || link.current == null
                || link.current.draining()
                || link.peer.incarnation() < c.peer().incarnation()
                || (link.peer.incarnation() == c.peer().incarnation() && wins(c, link.current));
    }

    /** The tie-break: the connection dialled by the smaller node wins; otherwise the older one stays. */
    private boolean wins(Connection challenger, Connection incumbent) {
        return dialledBySmaller(challenger) && !dialledBySmaller(incumbent);
    }

    private boolean dialledBySmaller(Connection c) {
        int order = self.compareTo(c.peer());
        return c.dialler() ? order < 0 : order > 0;
    }

    /** {@code c} finished its handshake. */
    void established(Connection c) {
        handshaking.remove(c);
        // The peer answers at its address (whoever dialled): the next failure starts the backoff afresh.
        dialBackoff.succeeded(c.peer().address());
        PeerKey key = PeerKey.of(c.peer());
        if (!wouldKeep(c)) {
            c.closeAsDuplicate();
            completeDial(c, links.get(key).peer);
            return;
        }
        meters.handshakeOk();
        Link link = links.get(key);
        if (link == null) {
            links.put(key, new Link(c.peer(), c));
            fireUp(c.peer());
        } else if (link.peer.incarnation() < c.peer().incarnation()) {
            links.put(key, new Link(c.peer(), c));
            Connection old = link.current;
            meters.linkDown(LinkDownReason.REPLACED);
            fireDown(link.peer, LinkDownReason.REPLACED);
            if (old != null) {
                old.drain(LinkDownReason.REPLACED);
            }
            fireUp(c.peer());
        } else {
            Connection old = link.current;
            link.current = c; // same peer, same incarnation: a silent swap, no event
            link.lost = null;
            if (old != null) {
                old.handOver(c); // c reads only after old delivered what is in flight on it
                old.closeAsDuplicate();
            }
        }
        completeDial(c, c.peer());
        List<CompletableFuture<NodeId>> waiting = awaitingLink.remove(key);
        if (waiting != null) {
            waiting.forEach(f -> f.complete(c.peer()));
        }
    }

    private void completeDial(Connection c, NodeId peer) {
        c.dialResult().ifPresent(f -> f.complete(peer));
    }

    /** The peer kept another connection of ours; our dial succeeds once that one is up here. */
    void lostTieBreak(Connection c) {
        handshaking.remove(c);
        meters.handshakeDuplicate();
        c.dialResult().ifPresent(f -> {
            PeerKey key = PeerKey.of(c.peer());
            Link link = links.get(key);
            if (link != null && isUp(link)) {
                f.complete(link.peer);
                return;
            }
            awaitLink(key, f);
        });
    }

    /** Completes {@code f} when the link to {@code key} comes up, or fails it after the handshake timeout. */
    private void awaitLink(PeerKey key, CompletableFuture<NodeId> f) {
        awaitingLink.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        loop.schedule(() -> {
            List<CompletableFuture<NodeId>> waiting = awaitingLink.get(key);
            if (waiting != null && waiting.remove(f) && f.completeExceptionally(new HandshakeException(HandshakeFailure.TIMEOUT,
                    "the peer's other connection did not come up within " + config.handshakeTimeout()))) {
                if (waiting.isEmpty()) {
                    awaitingLink.remove(key);
                }
            }
        }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    void connectionClosed(Connection c) {
        handshaking.remove(c);
        if (!c.established()) {
            // The handshake failure was logged and counted where it happened. If a link waited
            // for this connection and no other is on its way, it is gone now, not at the timeout.
            Link waiting = c.peer() == null ? null : links.get(PeerKey.of(c.peer()));
            if (waiting != null && waiting.current == null && waiting.lost != null && !handshakeInProgress(PeerKey.of(c.peer()))) {
                linkGone(PeerKey.of(c.peer()), waiting, waiting.lost, waiting.lost.downReason().orElse(LinkDownReason.CONNECTION_LOST));
            }
            return;
        }
        PeerKey key = PeerKey.of(c.peer());
        Link link = links.get(key);
        if (link == null || link.current != c) {
            return; // superseded by another connection: not a link event
        }
        LinkDownReason reason = c.downReason().orElse(LinkDownReason.CONNECTION_LOST);
        boolean peerMaySwap = reason == LinkDownReason.CONNECTION_LOST || reason == LinkDownReason.PEER_CLOSED;
        if (peerMaySwap && !closing && handshakeInProgress(key)) {
            link.current = null;
            link.lost = c;
            loop.schedule(() -> {
                if (links.get(key) == link && link.current == null) {
                    linkGone(key, link, c, reason);
                }
            }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        linkGone(key, link, c, reason);
    }

    /**
     * The idle sweep, every {@link TransportConfig#linkIdleTimeout()}: proposes closing each link
     * that is {@link #idle}, then starts a new period. An idle link so closes one to three
     * periods after its last frame (the peer agrees once its own period without traffic ended).
     * It also forgets the dial failures of addresses that have been free to dial for a while.
     */
    private void closeIdleLinks() {
        dialBackoff.forgetSettled(System.nanoTime());
        for (Link link : links.values()) {
            Connection c = link.current;
            if (c == null || c.draining()) {
                continue;
            }
            if (idle(c)) {
                c.writeControl(new IdleClose());
            }
            c.clearUsed();
        }
    }

    /** No holder here holds it, and nothing above the transport crossed it this period. */
    private boolean idle(Connection c) {
        return !c.used() && !held(c.peer());
    }

    private boolean held(NodeId peer) {
        for (LinkHolder h : holders) {
            try {
                if (h.holds(peer)) {
                    return true;
                }
            } catch (RuntimeException e) {
                log.error("link holder failed on {}; keeping the link", peer, e);
                return true;
            }
        }
        return false;
    }

    private void linkGone(PeerKey key, Link link, Connection last, LinkDownReason reason) {
        links.remove(key, link);
        meters.linkDown(reason);
        fireDown(link.peer, reason);
        boolean broke = reason == LinkDownReason.CONNECTION_LOST || reason == LinkDownReason.HEARTBEAT_TIMEOUT;
        if (broke && !closing && last.dialler() && !config.reconnectWindow().isZero()) {
            reconnect(last.dialled().orElseThrow(), key, 0, System.nanoTime() + config.reconnectWindow().toNanos());
        }
    }

    private boolean handshakeInProgress(PeerKey key) {
        return handshaking.stream().anyMatch(h -> h.peer() != null && PeerKey.of(h.peer()).equals(key));
    }

    /** A frame on an established connection (length prefix already stripped). */
    void frameReceived(Connection c, ByteBuf frame) {
        int bytes = frame.readableBytes() + Integer.BYTES;
        if (!frame.isReadable()) {
            c.reject(HandshakeFailure.MALFORMED, "malformed", "empty frame");
            return;
        }
        byte id = frame.readByte();
        Optional<Protocols.Registered<?>> registered = protocols.byId(id);
        if (registered.isEmpty()) {
            // Not fatal: a newer peer may speak a protocol this node has not registered (yet).
            meters.frameRejected("unknown_protocol");
            log.debug("dropped a frame of unregistered protocol {} from {}", id & 0xFF, c.peer());
            return;
        }
        Protocols.Registered<?> protocol = registered.get();
        Object message;
        try {
            message = protocol.decode(frame, config.wireLimits());
        } catch (MalformedFrameException e) {
            c.reject(HandshakeFailure.MALFORMED, "malformed", protocol.tag + " frame: " + e.getMessage());
            return;
        }
        countInbound(protocol, message, bytes);
        if (id == ControlCodec.PROTOCOL_ID) {
            controlReceived(c, (ControlMessage) message);
            return;
        }
        if (countsAsUse(id)) {
            c.markUsed();
        }
        try {
            protocol.deliver(c.peer(), message);
        } catch (RuntimeException e) {
            log.error("the {} handler failed on a message from {}", protocol.tag, c.peer(), e);
        }
    }

    private void controlReceived(Connection c, ControlMessage m) {
        if (m instanceof Heartbeat) {
            return; // its arrival reset the idle timer; that is all it is for
        }
        if (m instanceof Goodbye) {
            c.goodbyeReceived();
        } else if (m instanceof IdleClose) {
            if (idle(c) && !c.draining()) {
                log.debug("closing the idle link to {}, as it proposed", c.peer());
                c.drain(LinkDownReason.IDLE);
            }
        } else if (m instanceof Reject r && r.reason() == ControlMessage.Reason.DUPLICATE) {
            c.channel().close(); // the peer keeps our other connection; connectionClosed waits for it
        } else {
            c.reject(HandshakeFailure.MALFORMED, "malformed", ControlCodec.INSTANCE.typeName(m) + " on an established link");
        }
    }

    /** A send found the queue full. */
    void backpressureReached(Connection c) {
        if (config.backpressurePolicy() == BackpressurePolicy.CLOSE_LINK) {
            loop.execute(() -> c.closeLink(LinkDownReason.BACKPRESSURE,
                    "outbound queue over " + config.outboundQueueBytes() + " bytes"));
        }
    }

    /** The fault rules changed: each link gets a fault handler if a rule touches it, and loses it if none does. */
    private void syncFaultHandlers() {
        for (Link link : links.values()) {
            Connection c = link.current;
            if (c != null && c.channel().isActive()) {
                FaultHandler.sync(c.channel(), faults, meters, self.name(), link.peer.name());
            }
        }
    }

    void countInbound(Protocols.Registered<?> protocol, Object message, int bytes) {
        TransportMeters.TypeMeters m = meters.type(protocol.tag, protocol.typeName(message));
        m.framesIn().increment();
        m.bytesIn().increment(bytes);
    }

    void countOutbound(Protocols.Registered<?> protocol, Object message, int bytes) {
        TransportMeters.TypeMeters m = meters.type(protocol.tag, protocol.typeName(message));
        m.framesOut().increment();
        m.bytesOut().increment(bytes);
    }

    private void fireUp(NodeId peer) {
        for (LinkListener l : listeners) {
            try {
                l.linkUp(peer);
            } catch (RuntimeException e) {
                log.error("link listener failed on link up of {}", peer, e);
            }
        }
    }

    /**
     * In the reverse order the listeners were added: the layers added last sit above the
     * membership (RPC adds its listener after the node's), and their reaction is to answer the
     * calls waiting on the peer. The membership's reaction (overlay repair, redials, suspicion)
     * is the long one, and the first failure runs it cold: tens of milliseconds a caller would
     * otherwise wait behind, though its answer is already known.
     */
    private void fireDown(NodeId peer, LinkDownReason reason) {
        LinkListener[] inOrderAdded = listeners.toArray(new LinkListener[0]);
        for (int i = inOrderAdded.length - 1; i >= 0; i--) {
            LinkListener l = inOrderAdded[i];
            try {
                l.linkDown(peer, reason);
            } catch (RuntimeException e) {
                log.error("link listener failed on link down of {}", peer, e);
            }
        }
    }
}
