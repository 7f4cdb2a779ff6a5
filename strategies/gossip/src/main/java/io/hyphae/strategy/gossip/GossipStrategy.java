package io.hyphae.strategy.gossip;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.SeedListener;
import io.hyphae.membership.discovery.SeedTracker;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O shell of gossip discovery. Heartbeats are sent on the node's scheduler every
 * interval; one receive thread per strategy owns the socket's selector, the {@link PacketFilter},
 * the {@link PeerTable} and the {@link SeedTracker}, so that state needs no locks. The seeds are
 * the advertised addresses of the peers heard within the expiry.
 *
 * <p>Plain NIO rather than Netty: one socket at one packet per second per node needs no event
 * loop group, the discovery context hands in no Netty group to share, and NIO exposes
 * {@code join(group, interface)} and the multicast options directly.
 *
 * <p>A socket that cannot be opened (port taken without SO_REUSEADDR, interface gone) or that
 * fails later is reported through the tracker, which keeps the last seeds, and reopened with
 * backoff; the node never stops for it.
 */
final class GossipStrategy implements DiscoveryStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(GossipStrategy.class);
    /** Peers one node tracks at most; only authenticated packets add one. */
    static final int MAX_PEERS = 4096;
    /** Datagrams read per selector wake-up, so a flood cannot starve expiry. */
    private static final int MAX_RECEIVES_PER_TURN = 256;
    private static final Duration REJECTION_LOG_QUIET = Duration.ofMinutes(1);
    private static final int REJECTION_LOG_SOURCES = 256;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final GossipSettings settings;
    private final Optional<NetworkInterface> configuredInterface;
    private final DiscoveryContext context;
    private final NodeId self;
    private final SecureRandom random = new SecureRandom();
    private final Counter sent;
    private final Counter accepted;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);

    // Confined to the receive thread (and to the scheduler before it starts or after it ends).
    private final PacketFilter filter;
    private final PeerTable peers;
    private final RejectionLog rejectionLog = new RejectionLog(REJECTION_LOG_SOURCES, REJECTION_LOG_QUIET);
    private SeedTracker tracker;

    // Lifecycle, guarded by this.
    private boolean started;
    private volatile boolean closed;
    private GossipChannel channel;
    private Selector selector;
    private Thread receiver;
    private ScheduledFuture<?> heartbeats;
    private ScheduledFuture<?> reopen;
    private boolean sendFailing;

    GossipStrategy(GossipSettings settings, Optional<NetworkInterface> configuredInterface, DiscoveryContext context) {
        this.settings = settings;
        this.configuredInterface = configuredInterface;
        this.context = context;
        this.self = context.self();
        // Fail at creation, not on the first heartbeat, when a name cannot go on the wire.
        GossipPacketCodec.encode(heartbeat(), context.secret());
        this.filter = new PacketFilter(context.clusterName(), self, context.secret(), settings.maxClockSkew(), settings.replayCacheSize());
        this.peers = new PeerTable(MAX_PEERS, settings.expiry(), settings.maxClockSkew().multipliedBy(2));
        // Tagged node=<name> like every discovery meter, so nodes sharing a registry count apart.
        this.sent = Counter.builder("hyphae.gossip.packets.sent").description("Gossip heartbeats and goodbyes sent")
                .tags(context.meterTags()).register(context.meters());
        this.accepted = Counter.builder("hyphae.gossip.packets.accepted").description("Gossip packets accepted from peers")
                .tags(context.meterTags()).register(context.meters());
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder("hyphae.gossip.packets.rejected")
                    .description("Gossip packets dropped, by reason")
                    .tag("reason", reason.tag())
                    .tags(context.meterTags())
                    .register(context.meters()));
        }
    }

    @Override
    public synchronized void start(SeedListener listener) {
        if (started) {
            throw new IllegalStateException("gossip discovery already started");
        }
        started = true;
        tracker = new SeedTracker("gossip", listener, context, Backoff.DEFAULT);
        if (context.secret().isEmpty()) {
            LOG.warn("gossip discovery for {} runs WITHOUT a cluster secret: heartbeats are neither signed nor checked, "
                    + "so anyone who can reach {} port {} can add seeds; set a secret outside development",
                    self, settings.mode() == GossipMode.MULTICAST ? settings.group().getHostAddress()
                            : settings.broadcastAddress().orElseThrow().getHostAddress(), settings.port());
        }
        context.scheduler().execute(this::open);
    }

    private synchronized void open() {
        if (closed) {
            return;
        }
        GossipChannel ch;
        Selector sel;
        try {
            ch = GossipChannel.open(settings, configuredInterface, self.address());
            try {
                sel = Selector.open();
                ch.channel().register(sel, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            Duration delay = tracker.failed("cannot open the gossip socket for " + describeTarget() + ": " + e.getMessage(), e);
            reopen = context.scheduler().schedule(this::open, delay.toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        LOG.info("gossip discovery for {} on {}, heartbeat every {} ms, peers expire after {} ms",
                self, ch, settings.interval().toMillis(), settings.expiry().toMillis());
        channel = ch;
        selector = sel;
        receiver = new Thread(() -> receiveLoop(ch, sel), "hyphae-gossip-" + self.name());
        receiver.setDaemon(true);
        receiver.start();
        heartbeats = context.scheduler().scheduleAtFixedRate(this::sendHeartbeat, 0,
                settings.interval().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void receiveLoop(GossipChannel ch, Selector sel) {
        ByteBuffer buffer = ByteBuffer.allocate(GossipPacketCodec.MAX_PACKET_BYTES + 1);
        long sweepMillis = Math.max(1, settings.interval().toMillis());
        IOException failure = null;
        try {
            tracker.succeeded(peers.seeds());
            while (!closed) {
                sel.select(sweepMillis);
                sel.selectedKeys().clear();
                for (int i = 0; i < MAX_RECEIVES_PER_TURN && !closed; i++) {
                    Optional<SocketAddress> from = ch.receive(buffer.clear());
                    if (from.isEmpty()) {
                        break;
                    }
                    buffer.flip();
                    byte[] datagram = new byte[buffer.remaining()];
                    buffer.get(datagram);
                    handle(datagram, from.get());
                }
                if (peers.expire(System.nanoTime())) {
                    tracker.succeeded(peers.seeds());
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (ClosedSelectorException e) {
            failure = new IOException("selector closed", e);
        } finally {
            closeQuietly(ch, sel);
        }
        if (failure != null && !closed) {
            socketBroke(failure);
        }
    }

    private void handle(byte[] datagram, SocketAddress from) {
        long now = System.nanoTime();
        Verdict verdict = filter.check(datagram, System.currentTimeMillis());
        if (verdict instanceof Verdict.Rejected r) {
            reject(r.reason(), r.detail(), from, now);
            return;
        }
        GossipPacket packet = ((Verdict.Accepted) verdict).packet();
        accepted.increment();
        boolean changed = false;
        if (packet instanceof GossipPacket.Heartbeat) {
            PeerTable.Outcome outcome = peers.heard(packet.sender(), now);
            if (outcome == PeerTable.Outcome.FULL) {
                reject(RejectReason.TOO_MANY_PEERS, "already tracking " + MAX_PEERS + " peers; ignoring " + packet.sender(), from, now);
            } else if (outcome == PeerTable.Outcome.ADDED) {
                LOG.debug("gossip: {} heard {}", self.name(), packet.sender());
                changed = true;
            }
        } else if (peers.left(packet.sender(), now)) {
            LOG.debug("gossip: {} heard {} leave", self.name(), packet.sender());
            changed = true;
        }
        if (peers.expire(now) || changed) {
            tracker.succeeded(peers.seeds());
        }
    }

    private void reject(RejectReason reason, String detail, SocketAddress from, long nowNanos) {
        rejected.get(reason).increment();
        if (reason == RejectReason.OWN) {
            return; // multicast loopback hands every node its own packets: expected, never worth a line
        }
        String source = from instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(from);
        if (rejectionLog.shouldLog(reason, source, nowNanos)) {
            LOG.warn("gossip: {} dropped a packet from {}: {}: {}; more like it are counted in "
                    + "hyphae.gossip.packets.rejected{reason={}} and logged at most once a minute",
                    self.name(), source, reason.tag(), detail, reason.tag());
        }
    }

    private synchronized void socketBroke(IOException failure) {
        if (closed) {
            return;
        }
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        channel = null;
        selector = null;
        receiver = null;
        Duration delay = tracker.failed("gossip socket on " + describeTarget() + " failed: " + failure.getMessage(), failure);
        reopen = context.scheduler().schedule(this::open, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void sendHeartbeat() {
        // Under the lifecycle lock and only while open, so no heartbeat can follow the goodbye
        // that close() sends under the same lock (cancelling the timer does not stop a running one).
        if (!closed) {
            send(heartbeat());
        }
    }

    private GossipPacket heartbeat() {
        return new GossipPacket.Heartbeat(context.clusterName(), self, System.currentTimeMillis(), Nonce.random(random));
    }

    /** Sends one packet; called with the lifecycle lock held. */
    private void send(GossipPacket packet) {
        GossipChannel ch = channel;
        if (ch == null) {
            return;
        }
        try {
            ch.send(GossipPacketCodec.encode(packet, context.secret()));
            sent.increment();
            if (sendFailing) {
                sendFailing = false;
                LOG.info("gossip: {} sends heartbeats again on {}", self.name(), ch);
            }
        } catch (IOException e) {
            if (!closed && !sendFailing) {
                sendFailing = true;
                LOG.warn("gossip: {} cannot send on {}: {}; peers will drop this node after {} ms unless it recovers",
                        self.name(), ch, e.getMessage(), settings.expiry().toMillis());
            }
        }
    }

    /** Says goodbye (so peers drop this node at once), stops the heartbeats and the receive thread. */
    @Override
    public void close() {
        Thread waitFor;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            if (reopen != null) {
                reopen.cancel(false);
            }
            if (channel != null) {
                send(new GossipPacket.Leaving(context.clusterName(), self, System.currentTimeMillis(), Nonce.random(random)));
            }
            if (selector != null) {
                selector.wakeup();
            }
            waitFor = receiver;
        }
        if (waitFor != null && waitFor != Thread.currentThread()) {
            try {
                // Wait so the port and the group membership are released when close returns.
                waitFor.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String describeTarget() {
        return settings.mode() == GossipMode.MULTICAST
                ? "multicast " + settings.group().getHostAddress() + " port " + settings.port()
                        + configuredInterface.map(n -> " on " + n.getName()).orElse("")
                : "broadcast " + settings.broadcastAddress().orElseThrow().getHostAddress() + " port " + settings.port();
    }

    private static void closeQuietly(GossipChannel ch, Selector sel) {
        try {
            sel.close();
        } catch (IOException e) {
            LOG.debug("gossip: closing the selector failed", e);
        }
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("gossip: closing the socket failed", e);
        }
    }
}
