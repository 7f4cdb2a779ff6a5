package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Effect.Notify;
import io.hyphae.membership.core.Effect.Schedule;
import io.hyphae.membership.core.Effect.Send;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.ProtocolCore;
import io.hyphae.membership.plumtree.PlumtreeMessage.Announcement;
import io.hyphae.membership.plumtree.PlumtreeMessage.Gossip;
import io.hyphae.membership.plumtree.PlumtreeMessage.Graft;
import io.hyphae.membership.plumtree.PlumtreeMessage.IHave;
import io.hyphae.membership.plumtree.PlumtreeMessage.Prune;
import io.hyphae.membership.plumtree.PlumtreeNotification.Deliver;
import io.hyphae.membership.plumtree.PlumtreeTimer.GraftTimeout;
import io.hyphae.membership.plumtree.PlumtreeTimer.IHaveFlush;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One node's Plumtree (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS 2007) as a
 * deterministic {@link ProtocolCore}: no I/O, threads, locks or clock inside.
 *
 * <p>Section 3 of the paper, with its names: the neighbours (the overlay's active view, reported
 * through {@link #neighbourUp}/{@link #neighbourDown}) are split into {@code eagerPushPeers},
 * which get each payload at once (GOSSIP) and form the broadcast tree, and {@code lazyPushPeers},
 * which only get its id (IHAVE). A duplicate GOSSIP turns its link lazy at both ends (PRUNE). An
 * id announced but not received within {@link PlumtreeConfig#graftTimeout()} is requested with
 * GRAFT from the first announcer, which also makes that link a tree link again: this is how the
 * tree heals after a tree neighbour fails (section 3.7). Announcements are batched per
 * {@link PlumtreeConfig#ihaveInterval()} (the lazy push policy of section 3.6). The optimisation
 * of section 3.8 swaps a tree link for a lazy one that announced a message on a path shorter by
 * {@link PlumtreeConfig#optimizationThreshold()} hops; unlike the paper, which checks only
 * announcements that arrive before the message, it also checks those that arrive after it, since
 * batched announcements nearly always do.
 *
 * <p>Link events ({@link Event.LinkUp}, {@link Event.LinkDown}) are ignored: which links carry
 * the broadcast is the overlay's decision, passed on as neighbour up and down.
 */
public final class Plumtree implements ProtocolCore<PlumtreeMessage> {

    private NodeId self;
    private final PlumtreeConfig config;

    private final Set<NodeId> eagerPushPeers = new LinkedHashSet<>();
    private final Set<NodeId> lazyPushPeers = new LinkedHashSet<>();
    private final Map<NodeId, ArrayDeque<Announcement>> lazyQueues = new LinkedHashMap<>();
    private final Map<MessageId, Missing> missing = new LinkedHashMap<>();
    private final MessageCache cache;
    /** The cache for {@link #selfRepairing} channels: long enough for a prompt GRAFT only. */
    private final MessageCache shortCache;
    private final Set<Integer> selfRepairing;
    private final DeliveredIds delivered;

    private long nextSequence = 1;
    private long nextGeneration = 1;
    private boolean flushScheduled;
    private long nextHousekeepingMillis = Long.MIN_VALUE;

    private long deliveredCount;
    private long gossipsSent;
    private long duplicatesReceived;
    private long graftsSent;
    private long prunesSent;
    private long ihavesSent;
    private long announcementsDropped;
    private long graftsUnanswered;

    /** A message announced to us but not received yet: who announced it, in order. */
    private static final class Missing {
        final ArrayDeque<Announcer> announcers = new ArrayDeque<>();
        final long generation;

        Missing(long generation) {
            this.generation = generation;
        }
    }

    private record Announcer(NodeId peer, int round) {
    }

    public Plumtree(NodeId self, PlumtreeConfig config) {
        this(self, config, Set.of());
    }

    /**
     * @param selfRepairing channels whose layer above repairs what Plumtree misses by other
     *     means (the member directory's anti-entropy): their payloads are cached only
     *     {@link #shortCacheTtlMillis}, long enough to answer a prompt GRAFT, not
     *     {@link PlumtreeConfig#cacheTtl()}. While a large cluster starts, every member's
     *     announcement passes through every node, and a 30 s cache of them costs each node
     *     memory in proportion to the cluster (about 170 KiB per node at 1,024 members).
     */
    public Plumtree(NodeId self, PlumtreeConfig config, Set<Integer> selfRepairing) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.selfRepairing = Set.copyOf(selfRepairing);
        this.cache = new MessageCache(config.cacheSize(), config.cacheTtl().toMillis());
        this.shortCache = new MessageCache(config.cacheSize(), shortCacheTtlMillis(config));
        this.delivered = new DeliveredIds(config.seenRetention().toMillis());
    }

    /**
     * How long a self-repairing channel's payload is cached: four times an IHAVE's batching plus
     * the wait before its GRAFT (1.2 s on a LAN), capped by the cache TTL.
     */
    static long shortCacheTtlMillis(PlumtreeConfig config) {
        return Math.min(config.cacheTtl().toMillis(), 4 * (config.ihaveInterval().toMillis() + config.graftTimeout().toMillis()));
    }

    private MessageCache cacheFor(int channel) {
        return selfRepairing.contains(channel) ? shortCache : cache;
    }

    private Optional<MessageCache.Entry> cached(MessageId id, long now) {
        Optional<MessageCache.Entry> e = cache.get(id, now);
        return e.isPresent() ? e : shortCache.get(id, now);
    }

    public NodeId self() {
        return self;
    }

    /**
     * Becomes {@code fresh}, the next incarnation of this node, and forgets its peers (their links
     * are closed). What was delivered stays remembered, so nothing is delivered twice across
     * the change; new broadcasts carry the new identity.
     */
    public void renew(NodeId fresh) {
        if (!fresh.sameNodeAs(self)) {
            throw new IllegalArgumentException(fresh + " is not an incarnation of " + self);
        }
        self = fresh;
        eagerPushPeers.clear();
        lazyPushPeers.clear();
        lazyQueues.clear();
    }

    /**
     * Broadcasts {@code payload} to every node: delivers it here at once (the first effect is its
     * {@link Deliver}, 0 hops), then pushes it on the tree links and announces it on the lazy ones.
     *
     * @param channel the upper layer that receives it on every node, 0..{@value PlumtreeMessage#MAX_CHANNEL}
     *     (see {@link Channels})
     */
    public List<Effect<PlumtreeMessage>> broadcast(long nowMillis, int channel, byte[] payload) {
        MessageId id = new MessageId(self, nextSequence++);
        List<Effect<PlumtreeMessage>> out = new ArrayList<>();
        acceptNew(new Gossip(id, 1, channel, payload.clone()), Optional.empty(), nowMillis, out);
        return out;
    }

    /**
     * Broadcasts like {@link #broadcast}, but pushes the payload on every link, tree or lazy: for
     * a node about to leave, which will not be there to answer the GRAFTs its announcements
     * would bring (a node whose links are all lazy would otherwise never get it out).
     */
    public List<Effect<PlumtreeMessage>> lastBroadcast(long nowMillis, int channel, byte[] payload) {
        List<NodeId> lazy = List.copyOf(lazyPushPeers);
        lazy.forEach(this::makeEager);
        return broadcast(nowMillis, channel, payload);
    }

    /** The overlay added {@code peer} to the active view: it starts as a tree link (section 3.3). */
    public List<Effect<PlumtreeMessage>> neighbourUp(long nowMillis, NodeId peer) {
        if (!peer.equals(self) && !lazyPushPeers.contains(peer)) {
            eagerPushPeers.add(peer);
        }
        return List.of();
    }

    /**
     * The overlay dropped {@code peer} from the active view. Its announcements no longer count;
     * if it was a tree link, the nodes behind it are reached again by IHAVE and GRAFT on lazy links.
     */
    public List<Effect<PlumtreeMessage>> neighbourDown(long nowMillis, NodeId peer) {
        eagerPushPeers.remove(peer);
        lazyPushPeers.remove(peer);
        lazyQueues.remove(peer);
        for (Missing m : missing.values()) {
            m.announcers.removeIf(a -> a.peer().equals(peer));
        }
        return List.of();
    }

    @Override
    public List<Effect<PlumtreeMessage>> handle(long nowMillis, Event<PlumtreeMessage> event) {
        List<Effect<PlumtreeMessage>> out = new ArrayList<>();
        if (event instanceof Event.Received<PlumtreeMessage> r) {
            receive(r.from(), r.message(), nowMillis, out);
        } else if (event instanceof Event.TimerFired<PlumtreeMessage> t) {
            if (t.timer() instanceof IHaveFlush) {
                flushLazyQueues(out);
            } else if (t.timer() instanceof GraftTimeout g) {
                onGraftTimeout(g, nowMillis, out);
            }
        }
        return out;
    }

    /** The tree links. */
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

    /** Messages announced to this node and not received yet. */
    public int missingCount() {
        return missing.size();
    }

    public int cachedCount() {
        return cache.size() + shortCache.size();
    }

    private void receive(NodeId from, PlumtreeMessage message, long now, List<Effect<PlumtreeMessage>> out) {
        if (message instanceof Gossip g) {
            onGossip(from, g, now, out);
        } else if (message instanceof IHave h) {
            onIHave(from, h, now, out);
        } else if (message instanceof Graft g) {
            onGraft(from, g, now, out);
        } else if (message instanceof Prune && isNeighbour(from)) {
            makeLazy(from);
        }
    }

    private boolean isNeighbour(NodeId peer) {
        return eagerPushPeers.contains(peer) || lazyPushPeers.contains(peer);
    }

    private void onGossip(NodeId from, Gossip g, long now, List<Effect<PlumtreeMessage>> out) {
        if (delivered.contains(g.id())) {
            duplicatesReceived++;
            if (isNeighbour(from)) {
                makeLazy(from);
                prunesSent++;
                out.add(new Send<>(from, new Prune()));
            }
            return;
        }
        // A GOSSIP from a node that is not (or no longer) a neighbour is still a valid broadcast,
        // but that link is not ours to shape.
        if (isNeighbour(from)) {
            makeEager(from);
        }
        acceptNew(g, Optional.of(from), now, out);
    }

    /** Delivers a message seen for the first time and passes it on: copies to tree links, ids to lazy ones. */
    private void acceptNew(Gossip g, Optional<NodeId> from, long now, List<Effect<PlumtreeMessage>> out) {
        delivered.add(g.id(), now);
        missing.remove(g.id()); // its GraftTimeout, when it fires, finds nothing and does nothing
        cacheFor(g.channel()).put(g.id(), g.channel(), g.payload(), g.round(), from, now);
        deliveredCount++;
        int hops = from.isPresent() ? g.round() : 0;
        out.add(new Notify<>(new Deliver(g.id(), g.channel(), g.payload(), hops)));
        int nextRound = hops == Integer.MAX_VALUE ? hops : hops + 1;
        Gossip forward = new Gossip(g.id(), nextRound, g.channel(), g.payload());
        for (NodeId peer : eagerPushPeers) {
            if (from.isEmpty() || !peer.equals(from.get())) {
                gossipsSent++;
                out.add(new Send<>(peer, forward));
            }
        }
        for (NodeId peer : lazyPushPeers) {
            if (from.isEmpty() || !peer.equals(from.get())) {
                enqueueAnnouncement(peer, new Announcement(g.id(), nextRound), out);
            }
        }
        if (now >= nextHousekeepingMillis) {
            delivered.expire(now);
            nextHousekeepingMillis = now + config.cacheTtl().toMillis();
        }
    }

    private void enqueueAnnouncement(NodeId peer, Announcement a, List<Effect<PlumtreeMessage>> out) {
        ArrayDeque<Announcement> q = lazyQueues.computeIfAbsent(peer, p -> new ArrayDeque<>());
        q.addLast(a);
        if (q.size() > config.maxLazyQueue()) {
            q.pollFirst();
            announcementsDropped++;
        }
        if (config.ihaveInterval().isZero()) {
            flushLazyQueues(out);
        } else if (!flushScheduled) {
            flushScheduled = true;
            out.add(new Schedule<>(new IHaveFlush(), config.ihaveInterval()));
        }
    }

    private void flushLazyQueues(List<Effect<PlumtreeMessage>> out) {
        for (Map.Entry<NodeId, ArrayDeque<Announcement>> e : lazyQueues.entrySet()) {
            ArrayDeque<Announcement> q = e.getValue();
            while (!q.isEmpty()) {
                int n = Math.min(q.size(), config.maxAnnouncementsPerIHave());
                List<Announcement> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(q.pollFirst());
                }
                ihavesSent++;
                out.add(new Send<>(e.getKey(), new IHave(batch)));
            }
        }
        lazyQueues.clear();
        flushScheduled = false;
    }

    private void onIHave(NodeId from, IHave h, long now, List<Effect<PlumtreeMessage>> out) {
        if (!isNeighbour(from)) {
            return; // we could not graft from it anyway
        }
        for (Announcement a : h.announcements()) {
            if (delivered.contains(a.id())) {
                maybeShortenTree(from, a, out);
                continue;
            }
            Missing m = missing.get(a.id());
            if (m == null) {
                if (missing.size() >= config.maxMissing()) {
                    announcementsDropped++;
                    continue;
                }
                m = new Missing(nextGeneration++);
                missing.put(a.id(), m);
                out.add(new Schedule<>(new GraftTimeout(a.id(), m.generation), config.graftTimeout()));
            }
            if (m.announcers.stream().noneMatch(x -> x.peer().equals(from))) {
                m.announcers.addLast(new Announcer(from, a.round()));
            }
        }
    }

    private void onGraftTimeout(GraftTimeout t, long now, List<Effect<PlumtreeMessage>> out) {
        Missing m = missing.get(t.id());
        if (m == null || m.generation != t.generation()) {
            return; // the message arrived meanwhile, or this timer belongs to an earlier wait
        }
        Announcer a = m.announcers.pollFirst();
        if (a == null) {
            missing.remove(t.id()); // nobody left to ask; a later IHAVE starts over
            return;
        }
        makeEager(a.peer());
        graftsSent++;
        out.add(new Send<>(a.peer(), new Graft(Optional.of(t.id()), a.round())));
        out.add(new Schedule<>(t, config.graftRetryTimeout()));
    }

    private void onGraft(NodeId from, Graft g, long now, List<Effect<PlumtreeMessage>> out) {
        if (!isNeighbour(from)) {
            return;
        }
        makeEager(from);
        if (g.id().isEmpty()) {
            return; // only re-shaping the tree
        }
        Optional<MessageCache.Entry> cached = cached(g.id().get(), now);
        if (cached.isEmpty()) {
            graftsUnanswered++;
            return;
        }
        gossipsSent++;
        out.add(new Send<>(from, new Gossip(g.id().get(), g.round(), cached.get().channel, cached.get().payload)));
    }

    /**
     * Section 3.8: {@code from} announces a message we have, on a path shorter by at least the
     * threshold than the one it came on. The announcer's link joins the tree and the old
     * parent's link leaves it; the announcer got the message without us, so the tree stays connected.
     */
    private void maybeShortenTree(NodeId from, Announcement a, List<Effect<PlumtreeMessage>> out) {
        int threshold = config.optimizationThreshold();
        if (threshold == 0) {
            return;
        }
        Optional<MessageCache.Entry> cached = cache.peek(a.id()).or(() -> shortCache.peek(a.id()));
        if (cached.isEmpty() || cached.get().from.isEmpty()) {
            return;
        }
        MessageCache.Entry e = cached.get();
        NodeId parent = e.from.get();
        if (parent.equals(from) || !eagerPushPeers.contains(parent) || e.round - a.round() < threshold) {
            return;
        }
        makeEager(from);
        graftsSent++;
        out.add(new Send<>(from, new Graft(Optional.empty(), a.round())));
        makeLazy(parent);
        prunesSent++;
        out.add(new Send<>(parent, new Prune()));
        e.round = a.round(); // later announcements must beat the new path, not the old one
        e.from = Optional.of(from);
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
