package io.hyphae.membership.node.internal;

import io.hyphae.membership.BroadcastListener;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.directory.DirectoryNotification;
import io.hyphae.membership.directory.DirectoryCodec;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.node.DeclaredDown;
import io.hyphae.membership.node.NodeCore;
import io.hyphae.membership.overlay.HyParViewCodec;
import io.hyphae.membership.overlay.OverlayNotification;
import io.hyphae.membership.plumtree.PlumtreeCodec;
import io.hyphae.membership.plumtree.PlumtreeNotification;
import io.hyphae.membership.transport.LinkDownReason;
import io.hyphae.membership.transport.LinkHolder;
import io.hyphae.membership.transport.LinkListener;
import io.hyphae.membership.transport.SendResult;
import io.hyphae.membership.transport.Transport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link NodeCore} on its transport's event loop, the Netty counterpart of the
 * simulator's {@code SimulatedNode}. Every method runs on {@link Transport#executor()} (callers
 * hop there first), so the core and this driver's own state need no locks.
 *
 * <p>It carries out the core's effects with the link semantics {@link Effect} documents:
 * <ul>
 *   <li>{@code Send} goes straight to the transport when a link to exactly that incarnation is
 *       up; otherwise the message waits in a per-peer queue ({@link DialQueues}) while the link
 *       is opened, and is written once it is up, in order. A link that cannot be opened, or that the address
 *       answers with another identity (a restarted node), becomes {@link Event.LinkDown} for the
 *       peer asked for; a dial refused outright (nothing listens there) becomes
 *       {@link Event.ConnectionRefused}.</li>
 *   <li>{@code Connect} opens a link the same way. {@code Disconnect} releases the overlay's
 *       interest only (the core's own messages still waiting for the link are given up, those
 *       of the layers above are not): the link is shared with the layers above (RPC), so
 *       it stays open while they use it and the transport closes it gracefully once it is idle
 *       (this driver is the {@link LinkHolder} of the links the core needs, see
 *       {@link #holds}).</li>
 *   <li>{@code Schedule} becomes a one-shot task on the event loop.</li>
 *   <li>{@code Notify}: directory up/down events go to {@link MembershipListener}s, deliveries
 *       to the channel's {@link BroadcastListener}s, NeedsContacts to the {@link SeedJoiner};
 *       {@link DeclaredDown} (a false DOWN of this node) makes the transport take the next
 *       incarnation, and the core {@link NodeCore#rejoin}s under it.</li>
 * </ul>
 */
final class NodeDriver implements LinkListener, LinkHolder {

    private static final Logger log = LoggerFactory.getLogger(NodeDriver.class);

    private final NodeCore core;
    private final Transport transport;
    private final ScheduledExecutorService loop;
    private final NodeMeters meters;
    /** Messages for peers whose link is being opened, in the order they were sent. */
    private final DialQueues dials;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, List<BroadcastListener>> subscribers = new HashMap<>();
    /** Live members, changed on the event loop only; other threads read {@link #live()}. */
    private final Set<NodeId> liveSet = ConcurrentHashMap.newKeySet();
    /** Bumped after every change of {@link #liveSet}, so a snapshot knows whether it is current. */
    private volatile long liveVersion;
    private volatile LiveSnapshot liveSnapshot = new LiveSnapshot(0, Set.of());
    private volatile boolean joined;
    private SeedJoiner joiner;
    private boolean needsContacts;
    private boolean declaredDown;
    private boolean left;
    private boolean closed;

    NodeDriver(NodeCore core, Transport transport, NodeMeters meters) {
        this.core = core;
        this.transport = transport;
        this.loop = transport.executor();
        this.meters = meters;
        this.dials = new DialQueues(new DialQueues.Wire() {
            @Override
            public SendResult send(NodeId to, Object message) {
                return transport.send(to, message);
            }

            @Override
            public CompletableFuture<NodeId> connect(HostAndPort address) {
                return transport.connect(address);
            }

            @Override
            public boolean linkedTo(NodeId peer) {
                return transport.links().contains(peer);
            }
        }, loop, (peer, refused) -> handle(refused ? new Event.ConnectionRefused<>(peer) : new Event.LinkDown<>(peer)));
    }

    void joiner(SeedJoiner joiner) {
        this.joiner = joiner;
    }

    NodeCore core() {
        return core;
    }

    /**
     * The live members as an immutable set. Built by the first reader after a change, not on the
     * event loop at every change: while a large cluster converges each node hears thousands of
     * ups, and copying the whole set for each would cost O(n^2) per node.
     */
    Set<NodeId> live() {
        LiveSnapshot snapshot = liveSnapshot;
        long version = liveVersion;
        if (snapshot.version() == version) {
            return snapshot.members();
        }
        Set<NodeId> members = Set.copyOf(liveSet);
        if (liveVersion == version) {
            liveSnapshot = new LiveSnapshot(version, members); // nothing changed while copying
        }
        return members;
    }

    private record LiveSnapshot(long version, Set<NodeId> members) {
    }

    boolean joined() {
        return joined;
    }

    boolean left() {
        return left;
    }

    boolean closed() {
        return closed;
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    // ---- commands (event loop) ----

    void start(List<NodeId> contacts) {
        apply(core.start(now(), contacts));
    }

    void join(List<NodeId> contacts) {
        if (!closed && !left) {
            apply(core.join(now(), contacts));
        }
    }

    void leave() {
        if (!closed && !left) {
            left = true;
            apply(core.leave(now()));
        }
    }

    void broadcast(int channel, byte[] payload) {
        if (!closed && !left) {
            apply(core.broadcast(now(), channel, payload));
        }
    }

    /** A message from the layer above, sent with the same link handling as the core's own. */
    void sendDirect(NodeId to, Object message, CompletableFuture<Void> done) {
        if (closed) {
            done.completeExceptionally(new IllegalStateException("node is closed"));
        } else {
            dials.send(to, message, done);
        }
    }

    void addListener(MembershipListener listener) {
        listeners.add(listener);
        // The live members so far, so the listener starts from the same picture as the others.
        for (NodeId m : liveSet) {
            deliverUp(listener, m);
        }
    }

    void removeListener(MembershipListener listener) {
        listeners.remove(listener);
    }

    void subscribe(int channel, BroadcastListener listener) {
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
    }

    void unsubscribe(int channel, BroadcastListener listener) {
        List<BroadcastListener> l = subscribers.get(channel);
        if (l != null) {
            l.remove(listener);
        }
    }

    /** Stops feeding the core: timers, links and dials still in flight are ignored from now on. */
    void close() {
        closed = true;
        joined = false;
        dials.failAll("node is closed");
    }

    // ---- events from the transport (event loop) ----

    void received(NodeId from, Object message) {
        handle(new Event.Received<>(from, message));
    }

    @Override
    public void linkUp(NodeId peer) {
        handle(new Event.LinkUp<>(peer));
    }

    @Override
    public void linkDown(NodeId peer, LinkDownReason reason) {
        handle(new Event.LinkDown<>(peer));
    }

    /**
     * The core holds the links of its active view open, idle or not (a neighbour's link breaking
     * is how HyParView hears of a failure at once), and those on which it awaits an answer (a
     * JOIN, NEIGHBOR or Sync): closing one of those would look like a failure to it. Other links
     * (shuffle replies, answered probes, RPC) are kept by RPC traffic only.
     */
    @Override
    public boolean holds(NodeId peer) {
        return !closed && core.needsLinkTo(peer);
    }

    @Override
    public Set<Byte> protocols() {
        return Set.of(HyParViewCodec.PROTOCOL_ID, PlumtreeCodec.PROTOCOL_ID, DirectoryCodec.PROTOCOL_ID);
    }

    /**
     * How late the timer fired is the node's own health signal (Lifeguard's local health): a
     * loop that runs timers seconds late also read its peers' frames and wrote its heartbeats
     * that late. The core hears of it before the timer itself.
     */
    private void timerFired(Effect.Schedule<Object> s) {
        if (!closed) {
            long lag = transport.loopLagMillis();
            core.loopLag(now(), lag);
            meters.loopLag(lag);
        }
        handle(new Event.TimerFired<>(s.timer()));
    }

    private void handle(Event<Object> event) {
        if (!closed) {
            apply(core.handle(now(), event));
        }
    }

    // ---- effects ----

    private void apply(List<Effect<Object>> effects) {
        for (Effect<Object> e : effects) {
            if (e instanceof Effect.Send<Object> s) {
                dials.send(s.to(), s.message(), null);
            } else if (e instanceof Effect.Connect<Object> c) {
                dials.connect(c.peer());
            } else if (e instanceof Effect.Disconnect<Object> d) {
                disconnect(d.peer());
            } else if (e instanceof Effect.Schedule<Object> s) {
                loop.schedule(() -> timerFired(s), s.after().toNanos(), TimeUnit.NANOSECONDS);
            } else if (e instanceof Effect.Notify<Object> n) {
                notify(n.notification());
            }
        }
        if (declaredDown) {
            declaredDown = false;
            rejoin();
        }
        joined = !left && core.overlay().activeSize() > 0;
        meters.afterEvent(core);
        if (needsContacts) {
            // After the batch, so the joiner sees the views the other effects left.
            needsContacts = false;
            joiner.needsContacts();
        }
    }

    /**
     * After a false DOWN: the transport takes the next incarnation and closes every link, and the
     * core rejoins under it. Messages still waiting for a link were meant for the old identity's
     * exchanges; they fail.
     */
    private void rejoin() {
        if (closed || left) {
            return;
        }
        dials.failAll("this node rejoined as a new incarnation");
        NodeId fresh = transport.renewIncarnation();
        meters.rejoined();
        apply(core.rejoin(now(), fresh));
    }

    private void disconnect(NodeId peer) {
        dials.disconnect(peer);
        // The overlay no longer holds the link (holds() now says no): the transport closes it
        // now if no other layer uses it (a temporary link, a probe's), else once they stop.
        if (!core.needsLinkTo(peer)) {
            transport.release(peer);
        }
    }

    // ---- notifications ----

    private void notify(Notification n) {
        if (n instanceof OverlayNotification.NeedsContacts) {
            needsContacts = true;
        } else if (n instanceof DeclaredDown) {
            declaredDown = true;
        } else if (n instanceof DirectoryNotification.MemberUp up) {
            liveSet.add(up.member());
            liveVersion++; // only the event loop writes it
            meters.memberEvent("up", "none");
            log.info("{} up", up.member());
            transport.peerAnnounced(up.member()); // it runs: dials to it need not wait out a backoff
            for (MembershipListener l : listeners) {
                deliverUp(l, up.member());
            }
        } else if (n instanceof DirectoryNotification.MemberDown down) {
            liveSet.remove(down.member());
            liveVersion++;
            meters.memberEvent("down", down.reason().name().toLowerCase(java.util.Locale.ROOT));
            if (down.member().equals(core.self()) && down.reason() != DownReason.LEFT) {
                // Declared down by the others (cut off, or frozen, past the suspicion timeout):
                // final for this incarnation; DeclaredDown follows, and the node rejoins.
                log.warn("the cluster declared this node ({}) down: it rejoins as its next incarnation", down.member());
            } else {
                log.info("{} down: {}", down.member(), down.reason());
            }
            for (MembershipListener l : listeners) {
                deliverDown(l, down.member(), down.reason());
            }
        } else if (n instanceof PlumtreeNotification.Deliver d) {
            List<BroadcastListener> l = subscribers.get(d.channel());
            if (l != null) {
                for (BroadcastListener b : l) {
                    try {
                        b.delivered(d.origin(), d.payload());
                    } catch (RuntimeException e) {
                        log.warn("broadcast listener of channel {} threw", d.channel(), e);
                    }
                }
            }
        }
        // NeighbourUp / NeighbourDown: the views are read directly; nothing to hand on.
    }

    private static void deliverUp(MembershipListener l, NodeId member) {
        try {
            l.memberUp(member);
        } catch (RuntimeException e) {
            log.warn("membership listener threw on {} up", member, e);
        }
    }

    private static void deliverDown(MembershipListener l, NodeId member, DownReason reason) {
        try {
            l.memberDown(member, reason);
        } catch (RuntimeException e) {
            log.warn("membership listener threw on {} down", member, e);
        }
    }
}
