package io.hyphae.membership.node;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.ProtocolCore;
import io.hyphae.membership.directory.DirectoryCodec;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.directory.DirectoryMessage;
import io.hyphae.membership.directory.DirectoryNotification;
import io.hyphae.membership.directory.DirectoryTimer;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.directory.MemberDirectory;
import io.hyphae.membership.overlay.HyParView;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.overlay.HyParViewMessage;
import io.hyphae.membership.overlay.HyParViewTimer;
import io.hyphae.membership.overlay.OverlayNotification;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.plumtree.Plumtree;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.plumtree.PlumtreeMessage;
import io.hyphae.membership.plumtree.PlumtreeNotification;
import io.hyphae.membership.plumtree.PlumtreeTimer;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One node's whole protocol stack as one deterministic core: HyParView at the bottom, Plumtree
 * over its active view, the member directory over Plumtree. A driver (the Netty shell, the
 * simulator) feeds it every event of the node and carries out the effects, so it hosts one
 * object per node and never needs to know how the layers talk to each other.
 *
 * <p>Wiring, all inside one call:
 * <ul>
 *   <li>Messages and timers go to the core whose type they are; link events to HyParView.</li>
 *   <li>HyParView's NeighbourUp / NeighbourDown go to Plumtree and the directory.</li>
 *   <li>A link that breaks while its peer was an active neighbour, or while a JOIN, NEIGHBOR or
 *       directory Sync to it was unanswered, makes the directory suspect that peer. A link closed after a
 *       DISCONNECT does not: that peer is alive. A DISCONNECT marked leaving does too, in case
 *       the LEFT entry sent just before it was lost (otherwise the suspicion is moot). The
 *       directory then dials the peer again, once per suspicion it raised
 *       ({@link MemberDirectory#linkBroken}).</li>
 *   <li>{@link Event.ConnectionRefused} makes the directory declare that peer DOWN at once
 *       ({@link MemberDirectory#connectionRefused}), then counts as a link down.</li>
 *   <li>When the directory reports this node itself DOWN (not LEFT), a {@link DeclaredDown}
 *       follows, and the driver answers with {@link #rejoin}.</li>
 *   <li>On leave, the directory's LEFT goes out with {@link Plumtree#lastBroadcast}, on every
 *       link, before the overlay's DISCONNECTs.</li>
 *   <li>The directory's broadcasts go out over Plumtree on {@link Channels#DIRECTORY}, encoded
 *       with {@link DirectoryCodec}; what Plumtree delivers on that channel goes back to the
 *       directory. Malformed payloads are counted and dropped.</li>
 * </ul>
 *
 * <p>Effects come out as {@code Effect<Object>}: every {@code Send} carries a
 * {@link HyParViewMessage}, {@link PlumtreeMessage} or {@link DirectoryMessage}, which the shell
 * encodes with that protocol's codec. Notifications that reach the driver: the overlay's
 * {@link OverlayNotification}s (NeedsContacts asks for fresh seeds and {@link #join}), Plumtree's
 * {@link PlumtreeNotification.Deliver} for channels other than the directory's, and the
 * directory's {@link DirectoryNotification.MemberUp} and {@link DirectoryNotification.MemberDown}.
 */
public final class NodeCore implements ProtocolCore<Object> {

    private static final DirectoryCodec DIRECTORY_CODEC = new DirectoryCodec();

    private NodeId self;
    private final HyParView overlay;
    private final Plumtree plumtree;
    private final Optional<MemberDirectory> directory;
    private final WireLimits limits;
    /** Peers a JOIN or NEIGHBOR request went to and that are not neighbours yet. */
    private final Set<NodeId> awaitingNeighbour = new HashSet<>();
    /** Peers the directory sent a Sync to and that have not answered yet: a link failing meanwhile is news. */
    private final Set<NodeId> awaitingSyncReply = new HashSet<>();
    /** Peers that sent DISCONNECT and whose link has not gone down yet: that closing is no failure. */
    private final Set<NodeId> closedByPeer = new HashSet<>();
    private boolean leaving;
    private boolean left;
    private long malformedBroadcasts;

    /**
     * @param directory the directory's config, or empty to run without a directory (broadcast
     *     only): for simulations at scales where every node holding every member does not fit
     *     in one JVM
     * @param limits the limits applied to directory payloads delivered by Plumtree
     */
    public NodeCore(NodeId self, HyParViewConfig overlay, PlumtreeConfig broadcast, Optional<DirectoryConfig> directory,
                    WireLimits limits, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.overlay = new HyParView(self, overlay, random);
        // The directory repairs what its broadcasts miss by anti-entropy: no need to keep them long.
        this.plumtree = new Plumtree(self, broadcast, Set.of(Channels.DIRECTORY));
        this.directory = directory.map(c -> new MemberDirectory(self, c, random));
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public NodeId self() {
        return self;
    }

    public HyParView overlay() {
        return overlay;
    }

    /**
     * Whether this node needs its link to {@code peer} open: a neighbour, or a JOIN, NEIGHBOR or
     * Sync awaiting its answer. Exactly the peers whose link going down {@link #handle} takes
     * for a failure (and suspects), so a driver that keeps these links open never closes one
     * under the core's feet.
     */
    public boolean needsLinkTo(NodeId peer) {
        return overlay.isActive(peer) || awaitingNeighbour.contains(peer) || awaitingSyncReply.contains(peer);
    }

    public Plumtree plumtree() {
        return plumtree;
    }

    public Optional<MemberDirectory> directory() {
        return directory;
    }

    /** Directory broadcasts that did not decode (a bug or a hostile member); counted, dropped. */
    public long malformedBroadcasts() {
        return malformedBroadcasts;
    }

    /** Starts the node: enters it into its own directory and joins the overlay through {@code contacts}. */
    public List<Effect<Object>> start(long nowMillis, List<NodeId> contacts) {
        List<Effect<Object>> out = new ArrayList<>();
        directory.ifPresent(d -> absorb(nowMillis, d.start(nowMillis), out));
        absorb(nowMillis, overlay.join(contacts), out);
        return out;
    }

    /** Fresh contacts from discovery, after {@link OverlayNotification.NeedsContacts} (see {@link HyParView#join}). */
    public List<Effect<Object>> join(long nowMillis, List<NodeId> contacts) {
        List<Effect<Object>> out = new ArrayList<>();
        if (!left) {
            absorb(nowMillis, overlay.join(contacts), out);
        }
        return out;
    }

    /**
     * The driver's measure of this node's health: its event loop ran {@code lagMillis} behind
     * (a timer fired that much after it was due). A starved node doubts its own failure
     * verdicts ({@link MemberDirectory#observeLag}); the driver measures, the core decides.
     */
    public void loopLag(long nowMillis, long lagMillis) {
        directory.ifPresent(d -> d.observeLag(nowMillis, lagMillis));
    }

    /** Fresh seeds from discovery, without joining (see {@link HyParView#updateContacts}). */
    public void updateContacts(List<NodeId> contacts) {
        overlay.updateContacts(contacts);
    }

    /**
     * After {@link DeclaredDown}: becomes {@code fresh}, the next incarnation of this node (the
     * driver gave its transport that identity and closed the old links), and joins the overlay
     * again through the nodes the old views held. The directory is kept and replaces this
     * node's DOWN entry with an ALIVE one for {@code fresh}, which spreads like a restart's.
     */
    public List<Effect<Object>> rejoin(long nowMillis, NodeId fresh) {
        List<Effect<Object>> out = new ArrayList<>();
        if (leaving || left) {
            return out;
        }
        // The old views first, then discovery's contacts, which join() would otherwise replace.
        List<NodeId> contacts = new ArrayList<>(overlay.activeView());
        contacts.addAll(overlay.passiveView());
        contacts.addAll(overlay.contacts());
        awaitingNeighbour.clear();
        awaitingSyncReply.clear();
        closedByPeer.clear();
        self = fresh;
        overlay.renew(fresh);
        plumtree.renew(fresh);
        directory.ifPresent(d -> absorb(nowMillis, d.rejoin(nowMillis, fresh), out));
        absorb(nowMillis, overlay.join(contacts), out);
        return out;
    }

    /**
     * Leaves gracefully: the LEFT entry is broadcast first, then the overlay sends DISCONNECT
     * and closes its links (a driver flushes what was sent on a link before closing it).
     * Afterwards every message is answered with DISCONNECT (leaving) and nothing else happens.
     */
    public List<Effect<Object>> leave(long nowMillis) {
        List<Effect<Object>> out = new ArrayList<>();
        if (left) {
            return out;
        }
        leaving = true;
        directory.ifPresent(d -> absorb(nowMillis, d.leave(nowMillis), out));
        absorb(nowMillis, overlay.leave(), out);
        left = true;
        return out;
    }

    /**
     * Broadcasts {@code payload} to every node's layer for {@code channel} (see {@link Channels};
     * the directory's channel is not open to callers). The first effect is the local delivery.
     */
    public List<Effect<Object>> broadcast(long nowMillis, int channel, byte[] payload) {
        if (channel == Channels.DIRECTORY) {
            throw new IllegalArgumentException("channel " + channel + " is reserved for the member directory");
        }
        List<Effect<Object>> out = new ArrayList<>();
        if (!left) {
            absorb(nowMillis, plumtree.broadcast(nowMillis, channel, payload), out);
        }
        return out;
    }

    @Override
    public List<Effect<Object>> handle(long nowMillis, Event<Object> event) {
        List<Effect<Object>> out = new ArrayList<>();
        if (left) {
            // Gone from the cluster, but the process may still run: whoever did not hear of the
            // leave in time (a JOIN in flight) is told, so it drops this node from its views.
            if (event instanceof Event.Received<Object> r && !(r.message() instanceof HyParViewMessage.Disconnect)) {
                out.add(new Effect.Send<>(r.from(), new HyParViewMessage.Disconnect(true)));
                out.add(new Effect.Disconnect<>(r.from()));
            }
            return out;
        }
        if (event instanceof Event.Received<Object> r) {
            onReceived(nowMillis, r.from(), r.message(), out);
        } else if (event instanceof Event.LinkUp<Object> up) {
            closedByPeer.remove(up.peer()); // a new link: its failure would be news
            absorb(nowMillis, overlay.handle(nowMillis, new Event.LinkUp<>(up.peer())), out);
        } else if (event instanceof Event.LinkDown<Object> down) {
            onLinkDown(nowMillis, down.peer(), out);
        } else if (event instanceof Event.ConnectionRefused<Object> refused) {
            // The peer's process is gone: DOWN now, then the failed dial as any other.
            directory.ifPresent(d -> absorb(nowMillis, d.connectionRefused(nowMillis, refused.peer()), out));
            onLinkDown(nowMillis, refused.peer(), out);
        } else if (event instanceof Event.TimerFired<Object> t) {
            if (t.timer() instanceof HyParViewTimer) {
                absorb(nowMillis, overlay.handle(nowMillis, new Event.TimerFired<>(t.timer())), out);
            } else if (t.timer() instanceof PlumtreeTimer) {
                absorb(nowMillis, plumtree.handle(nowMillis, new Event.TimerFired<>(t.timer())), out);
            } else if (t.timer() instanceof DirectoryTimer && directory.isPresent()) {
                absorb(nowMillis, directory.get().handle(nowMillis, new Event.TimerFired<>(t.timer())), out);
            }
        }
        return out;
    }

    private void onReceived(long now, NodeId from, Object message, List<Effect<Object>> out) {
        if (message instanceof HyParViewMessage m) {
            if (m instanceof HyParViewMessage.NeighborReply) {
                awaitingNeighbour.remove(from); // answered: a link closing after this is no failure
            } else if (m instanceof HyParViewMessage.Disconnect) {
                closedByPeer.add(from); // HyParView may even ask it again at once, on the closing link
            }
            absorb(now, overlay.handle(now, new Event.Received<>(from, m)), out);
            if (m instanceof HyParViewMessage.Disconnect d && d.leaving() && directory.isPresent()) {
                // Its LEFT entry came first on this link if it was sent; if it was lost, the
                // suspicion makes it DOWN after the timeout instead of live forever.
                absorb(now, directory.get().suspect(now, from), out);
            }
        } else if (message instanceof PlumtreeMessage m) {
            absorb(now, plumtree.handle(now, new Event.Received<>(from, m)), out);
        } else if (message instanceof DirectoryMessage m && directory.isPresent()) {
            if (m instanceof DirectoryMessage.SyncReply) {
                awaitingSyncReply.remove(from);
            }
            List<Effect<DirectoryMessage>> effects =
                    new ArrayList<>(directory.get().handle(now, new Event.Received<>(from, m)));
            // The directory closes a probe's link after the answer, unless the overlay uses that
            // link meanwhile (the peer became a neighbour, or we asked it to become one).
            effects.removeIf(e -> e instanceof Effect.Disconnect<DirectoryMessage> d
                    && (overlay.isActive(d.peer()) || awaitingNeighbour.contains(d.peer())));
            absorb(now, effects, out);
        }
    }

    private void onLinkDown(long now, NodeId peer, List<Effect<Object>> out) {
        // Asked before HyParView forgets it: did the link break under a live neighbour or an open request?
        boolean expected = closedByPeer.remove(peer);
        boolean unexpected = (overlay.isActive(peer) | awaitingNeighbour.remove(peer) | awaitingSyncReply.remove(peer))
                && !expected;
        absorb(now, overlay.handle(now, new Event.LinkDown<>(peer)), out);
        if (unexpected && directory.isPresent()) {
            absorb(now, directory.get().linkBroken(now, peer), out);
        }
    }

    /** Passes a layer's effects on, routing the notifications meant for the layers above it. */
    @SuppressWarnings("unchecked")
    private <M> void absorb(long now, List<Effect<M>> effects, List<Effect<Object>> out) {
        for (Effect<M> e : effects) {
            if (e instanceof Effect.Notify<M> n) {
                onNotification(now, n.notification(), out);
                continue;
            }
            if (e instanceof Effect.Send<M> s && (s.message() instanceof HyParViewMessage.Join
                    || s.message() instanceof HyParViewMessage.Neighbor)) {
                awaitingNeighbour.add(s.to());
            } else if (e instanceof Effect.Send<M> s && s.message() instanceof DirectoryMessage.Sync) {
                awaitingSyncReply.add(s.to());
            } else if (e instanceof Effect.Disconnect<M> d) {
                awaitingNeighbour.remove(d.peer());
                awaitingSyncReply.remove(d.peer());
            }
            // Effects are immutable records whose type parameter only names the message type.
            out.add((Effect<Object>) (Effect<?>) e);
        }
    }

    private void onNotification(long now, Notification n, List<Effect<Object>> out) {
        if (n instanceof OverlayNotification.NeighbourUp up) {
            awaitingNeighbour.remove(up.peer());
            out.add(new Effect.Notify<>(n));
            absorb(now, plumtree.neighbourUp(now, up.peer()), out);
            directory.ifPresent(d -> absorb(now, d.neighbourUp(now, up.peer()), out));
        } else if (n instanceof OverlayNotification.NeighbourDown down) {
            out.add(new Effect.Notify<>(n));
            absorb(now, plumtree.neighbourDown(now, down.peer()), out);
            directory.ifPresent(d -> absorb(now, d.neighbourDown(now, down.peer()), out));
        } else if (n instanceof PlumtreeNotification.Deliver d && d.channel() == Channels.DIRECTORY) {
            if (directory.isPresent() && !d.origin().equals(self)) {
                decodeUpdate(d.payload()).ifPresent(update ->
                        absorb(now, directory.get().handle(now, new Event.Received<>(d.origin(), update)), out));
            }
        } else if (n instanceof DirectoryNotification.MemberDown down && down.member().equals(self)
                && down.reason() != DownReason.LEFT) {
            out.add(new Effect.Notify<>(n));
            out.add(new Effect.Notify<>(new DeclaredDown(self)));
        } else if (n instanceof DirectoryNotification.Broadcast b) {
            byte[] payload = encode(b.update());
            absorb(now, leaving ? plumtree.lastBroadcast(now, Channels.DIRECTORY, payload)
                    : plumtree.broadcast(now, Channels.DIRECTORY, payload), out);
        } else {
            out.add(new Effect.Notify<>(n));
        }
    }

    private static byte[] encode(DirectoryMessage m) {
        ByteBuf buf = Unpooled.buffer(64);
        try {
            DIRECTORY_CODEC.encode(m, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private Optional<DirectoryMessage.Update> decodeUpdate(byte[] payload) {
        try {
            DirectoryMessage m = DIRECTORY_CODEC.decode(Unpooled.wrappedBuffer(payload), limits);
            if (m instanceof DirectoryMessage.Update u) {
                return Optional.of(u);
            }
        } catch (MalformedFrameException e) {
            // fall through: counted below
        }
        malformedBroadcasts++;
        return Optional.empty();
    }
}
