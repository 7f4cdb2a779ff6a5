package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.plumtree.PlumtreeEffect.Deliver;
import io.hyphae.membership.plumtree.PlumtreeEffect.Send;
import io.hyphae.membership.plumtree.PlumtreeMessage.Announcement;
import io.hyphae.membership.plumtree.PlumtreeMessage.Gossip;
import io.hyphae.membership.plumtree.PlumtreeMessage.Graft;
import io.hyphae.membership.plumtree.PlumtreeMessage.IHave;
import io.hyphae.membership.plumtree.PlumtreeMessage.Prune;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One node's Plumtree (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS 2007),
 * as a deterministic state machine: every method takes an event with the current time and
 * returns the effects to carry out, in order. No I/O, threads, locks or clock inside; the
 * driver (Netty shell or simulator) calls it from one thread.
 *
 * <p>Section 3 of the paper, with its names: the neighbours (the overlay's active view, reported
 * through {@link #neighborUp}/{@link #neighborDown}) are split into {@code eagerPushPeers}, which
 * get each payload at once (GOSSIP) and form the broadcast tree, and {@code lazyPushPeers}, which
 * only get its id (IHAVE). A duplicate GOSSIP turns its link lazy (PRUNE, both ends). An id
 * announced but not received within {@link PlumtreeConfig#graftTimeout()} is requested with GRAFT
 * from the first announcer, which also makes that link a tree link again: this is how the tree
 * heals after a tree neighbour fails (section 3.7). The lazy announcements are batched per
 * {@link PlumtreeConfig#ihaveInterval()} (section 3.6's "lazy push policy"). The optional
 * optimisation of section 3.8 (swapping a tree link for a shorter lazy one) is not done.
 *
 * <p>Time is a {@link Duration} since an epoch of the driver's choosing that only moves forward.
 * Between events the driver calls {@link #tick} no later than {@link #nextDeadline()}.
 */
public final class Plumtree {

    private final NodeId self;
    private final PlumtreeConfig config;

    private final Set<NodeId> eagerPushPeers = new LinkedHashSet<>();
    private final Set<NodeId> lazyPushPeers = new LinkedHashSet<>();
    private final Map<NodeId, ArrayDeque<Announcement>> lazyQueues = new LinkedHashMap<>();
    private final Map<MessageId, Missing> missing = new LinkedHashMap<>();
    private final MessageCache cache;
    private final DeliveredIds delivered;

    private long nextSequence = 1;
    private Optional<Duration> nextFlush = Optional.empty();
    private Duration nextHousekeeping = Duration.ZERO;

    private long deliveredCount;
    private long gossipsSent;
    private long duplicatesReceived;
    private long graftsSent;
    private long prunesSent;
    private long ihavesSent;
    private long announcementsDropped;
    private long graftsUnanswered;

    /** A message announced to us but not received yet: who announced it, and when to graft. */
    private static final class Missing {
        final ArrayDeque<Announcer> announcers = new ArrayDeque<>();
        Duration deadline;

        Missing(Duration deadline) {
            this.deadline = deadline;
        }
    }

    private record Announcer(NodeId peer, int round) {
    }

    public Plumtree(NodeId self, PlumtreeConfig config) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.cache = new MessageCache(config.cacheSize(), config.cacheTtl());
        this.delivered = new DeliveredIds(config.seenRetention());
    }

    public NodeId self() {
        return self;
    }

    /**
     * Broadcasts {@code payload} to every node: delivers it here at once (a {@link Deliver} with
     * 0 hops comes first in the result), then pushes it to the tree links and announces it on the
     * lazy ones.
     *
     * @param channel which upper layer receives it on every node, 0..{@value PlumtreeMessage#MAX_CHANNEL}
     *     (the directory and RPC reserve their own; see {@link io.hyphae.membership.plumtree.Channels})
     */
    public List<PlumtreeEffect> broadcast(int channel, byte[] payload, Duration now) {
        MessageId id = new MessageId(self, nextSequence++);
        Gossip first = new Gossip(id, 1, channel, payload.clone());
        List<PlumtreeEffect> out = new ArrayList<>();
        acceptNew(first, Optional.empty(), now, out);
        return out;
    }

    /** The overlay added {@code peer} to the active view: it starts as a tree link. */
    public List<PlumtreeEffect> neighborUp(NodeId peer, Duration now) {
        if (!peer.equals(self) && !lazyPushPeers.contains(peer)) {
            eagerPushPeers.add(peer);
        }
        return List.of();
    }

    /**
     * The overlay dropped {@code peer}. Its announcements no longer count; if it was a tree
     * link, the subtree behind it is reached again through IHAVE and GRAFT on lazy links.
     */
    public List<PlumtreeEffect> neighborDown(NodeId peer, Duration now) {
        eagerPushPeers.remove(peer);
        lazyPushPeers.remove(peer);
        lazyQueues.remove(peer);
        for (Missing m : missing.values()) {
            m.announcers.removeIf(a -> a.peer().equals(peer));
        }
        return List.of();
    }

    /** A message from neighbour {@code from}. */
    public List<PlumtreeEffect> receive(NodeId from, PlumtreeMessage message, Duration now) {
        List<PlumtreeEffect> out = new ArrayList<>();
        if (message instanceof Gossip g) {
            onGossip(from, g, now, out);
        } else if (message instanceof IHave h) {
            onIHave(from, h, now);
        } else if (message instanceof Graft g) {
            onGraft(from, g, now, out);
        } else if (message instanceof Prune) {
            onPrune(from);
        }
        flushIfImmediate(out);
        return out;
    }

    /** Fires the timers that are due: GRAFTs for missing messages, batched IHAVEs, cache expiry. */
    public List<PlumtreeEffect> tick(Duration now) {
        List<PlumtreeEffect> out = new ArrayList<>();
        for (Iterator<Map.Entry<MessageId, Missing>> it = missing.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<MessageId, Missing> e = it.next();
            Missing m = e.getValue();
            if (m.deadline.compareTo(now) > 0) {
                continue;
            }
            Announcer a = m.announcers.pollFirst();
            if (a == null) {
                it.remove(); // nobody left to ask; a later IHAVE starts over
                continue;
            }
            makeEager(a.peer());
            graftsSent++;
            out.add(new Send(a.peer(), new Graft(e.getKey(), a.round())));
            m.deadline = now.plus(config.graftRetryTimeout());
        }
        if (nextFlush.isPresent() && nextFlush.get().compareTo(now) <= 0) {
            flushLazyQueues(out);
        }
        if (now.compareTo(nextHousekeeping) >= 0) {
            cache.expire(now);
            delivered.expire(now);
            nextHousekeeping = now.plus(config.cacheTtl());
        }
        return out;
    }

    /** When {@link #tick} next has something to do, if anything is pending. */
    public Optional<Duration> nextDeadline() {
        Optional<Duration> next = nextFlush;
        for (Missing m : missing.values()) {
            if (next.isEmpty() || m.deadline.compareTo(next.get()) < 0) {
                next = Optional.of(m.deadline);
            }
        }
        return next;
    }

    /** The tree links, in the order they became tree links. */
    public Set<NodeId> eagerPushPeers() {
        return Set.copyOf(eagerPushPeers);
    }

    public Set<NodeId> lazyPushPeers() {
        return Set.copyOf(lazyPushPeers);
    }

    public PlumtreeStats stats() {
        return new PlumtreeStats(deliveredCount, gossipsSent, duplicatesReceived, graftsSent, prunesSent,
                ihavesSent, announcementsDropped, graftsUnanswered);
    }

    /** Messages announced to this node and not yet received. */
    public int missingCount() {
        return missing.size();
    }

    public int cachedCount() {
        return cache.size();
    }

    private boolean isNeighbour(NodeId peer) {
        return eagerPushPeers.contains(peer) || lazyPushPeers.contains(peer);
    }

    private void onGossip(NodeId from, Gossip g, Duration now, List<PlumtreeEffect> out) {
        if (delivered.contains(g.id())) {
            duplicatesReceived++;
            if (isNeighbour(from)) {
                makeLazy(from);
                prunesSent++;
                out.add(new Send(from, new Prune()));
            }
            return;
        }
        // A GOSSIP from a node that is not (or no longer) a neighbour is still a valid broadcast,
        // but its link is not ours to shape.
        Optional<NodeId> sender = isNeighbour(from) ? Optional.of(from) : Optional.empty();
        sender.ifPresent(this::makeEager);
        acceptNew(g, Optional.of(from), now, out);
    }

    /** Delivers a message seen for the first time and pushes it on: eager copies, lazy announcements. */
    private void acceptNew(Gossip g, Optional<NodeId> from, Duration now, List<PlumtreeEffect> out) {
        delivered.add(g.id(), now);
        missing.remove(g.id());
        cache.put(g.id(), g.channel(), g.payload(), now);
        deliveredCount++;
        int hops = from.isPresent() ? g.round() : 0;
        out.add(new Deliver(g.id(), g.channel(), g.payload(), hops));
        int nextRound = hops == Integer.MAX_VALUE ? hops : hops + 1;
        Gossip forward = new Gossip(g.id(), nextRound, g.channel(), g.payload());
        for (NodeId peer : eagerPushPeers) {
            if (from.isEmpty() || !peer.equals(from.get())) {
                gossipsSent++;
                out.add(new Send(peer, forward));
            }
        }
        for (NodeId peer : lazyPushPeers) {
            if (from.isEmpty() || !peer.equals(from.get())) {
                enqueueAnnouncement(peer, new Announcement(g.id(), nextRound), now);
            }
        }
        flushIfImmediate(out);
    }

    private void enqueueAnnouncement(NodeId peer, Announcement a, Duration now) {
        ArrayDeque<Announcement> q = lazyQueues.computeIfAbsent(peer, p -> new ArrayDeque<>());
        q.addLast(a);
        if (q.size() > config.maxLazyQueue()) {
            q.pollFirst();
            announcementsDropped++;
        }
        if (nextFlush.isEmpty()) {
            nextFlush = Optional.of(now.plus(config.ihaveInterval()));
        }
    }

    private void flushIfImmediate(List<PlumtreeEffect> out) {
        if (config.ihaveInterval().isZero() && nextFlush.isPresent()) {
            flushLazyQueues(out);
        }
    }

    private void flushLazyQueues(List<PlumtreeEffect> out) {
        for (Map.Entry<NodeId, ArrayDeque<Announcement>> e : lazyQueues.entrySet()) {
            ArrayDeque<Announcement> q = e.getValue();
            while (!q.isEmpty()) {
                int n = Math.min(q.size(), config.maxAnnouncementsPerIHave());
                List<Announcement> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(q.pollFirst());
                }
                ihavesSent++;
                out.add(new Send(e.getKey(), new IHave(batch)));
            }
        }
        lazyQueues.clear();
        nextFlush = Optional.empty();
    }

    private void onIHave(NodeId from, IHave h, Duration now) {
        if (!isNeighbour(from)) {
            return; // we could not graft from it anyway
        }
        for (Announcement a : h.announcements()) {
            if (delivered.contains(a.id())) {
                continue;
            }
            Missing m = missing.get(a.id());
            if (m == null) {
                if (missing.size() >= config.maxMissing()) {
                    announcementsDropped++;
                    continue;
                }
                m = new Missing(now.plus(config.graftTimeout()));
                missing.put(a.id(), m);
            }
            if (m.announcers.stream().noneMatch(x -> x.peer().equals(from))) {
                m.announcers.addLast(new Announcer(from, a.round()));
            }
        }
    }

    private void onGraft(NodeId from, Graft g, Duration now, List<PlumtreeEffect> out) {
        if (!isNeighbour(from)) {
            return;
        }
        makeEager(from);
        Optional<MessageCache.Entry> cached = cache.get(g.id(), now);
        if (cached.isEmpty()) {
            graftsUnanswered++;
            return;
        }
        gossipsSent++;
        out.add(new Send(from, new Gossip(g.id(), g.round(), cached.get().channel(), cached.get().payload())));
    }

    private void onPrune(NodeId from) {
        if (isNeighbour(from)) {
            makeLazy(from);
        }
    }

    private void makeEager(NodeId peer) {
        lazyPushPeers.remove(peer);
        eagerPushPeers.add(peer);
    }

    private void makeLazy(NodeId peer) {
        eagerPushPeers.remove(peer);
        lazyPushPeers.add(peer);
    }
}
