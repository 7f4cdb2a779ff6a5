package io.hyphae.membership.overlay;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.ProtocolCore;
import io.hyphae.membership.overlay.HyParViewMessage.Disconnect;
import io.hyphae.membership.overlay.HyParViewMessage.ForwardJoin;
import io.hyphae.membership.overlay.HyParViewMessage.Join;
import io.hyphae.membership.overlay.HyParViewMessage.Neighbor;
import io.hyphae.membership.overlay.HyParViewMessage.NeighborReply;
import io.hyphae.membership.overlay.HyParViewMessage.Shuffle;
import io.hyphae.membership.overlay.HyParViewMessage.ShuffleReply;
import io.hyphae.membership.overlay.HyParViewTimer.NeighborTimeout;
import io.hyphae.membership.overlay.HyParViewTimer.ShuffleTick;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One node's HyParView state machine (Leitão, Pereira, Rodrigues, DSN 2007, section 4): a small
 * symmetric <em>active view</em> of open links that broadcast floods over, and a larger
 * <em>passive view</em> of backups kept fresh by periodic shuffles.
 *
 * <ul>
 *   <li>Join (section 4.2): JOIN to a contact, which takes the new node into its active view
 *       and starts a FORWARD_JOIN random walk (ARWL hops) through each of its other neighbours;
 *       the walk leaves the new node in a passive view at hop PRWL and in an active view at its end.</li>
 *   <li>Active view management (section 4.3): a failed link removes the neighbour and a random
 *       passive node is asked with NEIGHBOR, high priority when the active view is empty, until
 *       one accepts. A full active view makes room by dropping a random neighbour with DISCONNECT.</li>
 *   <li>Passive view management (section 4.4): every round the node sends a SHUFFLE walk with
 *       itself, ka active and kp passive nodes; the last node of the walk answers with as many of
 *       its passive nodes, and both merge, evicting first the nodes they sent.</li>
 * </ul>
 *
 * <p>Two additions the paper leaves open: a node whose active view is not full tops it up from
 * the passive view on every round and when a neighbour disconnects (so views do not shrink
 * after DISCONNECTs); now and then a node promotes a passive node with high priority even though
 * its active view is full or refused ({@link HyParViewConfig#promotionRounds()}), so parts of the
 * overlay that lost contact (full views on both sides, or a pair refused by full nodes) link up
 * again; and a node that cannot fill its active view from its passive view (it lost
 * every neighbour, or survives in a small island after a mass failure) reports
 * {@link OverlayNotification.NeedsContacts} and re-sends JOIN to a contact that is not already a
 * neighbour, so islands merge back into the overlay.
 *
 * <p>Not thread safe: a driver feeds one event at a time (see {@link ProtocolCore}).
 */
public final class HyParView implements ProtocolCore<HyParViewMessage> {

    private static final ShuffleTick SHUFFLE_TICK = new ShuffleTick();

    private NodeId self;
    private final HyParViewConfig config;
    private final RandomGenerator random;

    private final NodeList active;
    private final NodeList passive;
    /** Outstanding NEIGHBOR requests and the attempt number their timeout carries. */
    private final Map<NodeId, Long> pending = new HashMap<>(4);
    /** Passive nodes that rejected or did not answer since the last round, so a repair tries others first. */
    private final Set<NodeId> tried = new HashSet<>(4);
    private List<NodeId> contacts = List.of();
    /** What this node sent in its last SHUFFLE, evicted first when the reply is merged (section 4.4). */
    private List<NodeId> lastShuffleSample = List.of();
    private long attempts;
    /** NEIGHBOR requests rejected or unanswered this round; caps low-priority retries in a saturated overlay. */
    private int rejections;
    private boolean started;
    private boolean left;

    public HyParView(NodeId self, HyParViewConfig config, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
        this.active = new NodeList(config.activeViewSize() + 1);
        this.passive = new NodeList(config.passiveViewSize() + 1);
    }

    public NodeId self() {
        return self;
    }

    public HyParViewConfig config() {
        return config;
    }

    /** A copy of the active view. */
    public List<NodeId> activeView() {
        return List.copyOf(active);
    }

    /** A copy of the passive view. */
    public List<NodeId> passiveView() {
        return List.copyOf(passive);
    }

    /** Active view size, without copying. */
    public int activeSize() {
        return active.size();
    }

    /** The contacts from discovery, as last given to {@link #join} or {@link #updateContacts}. */
    public List<NodeId> contacts() {
        return contacts;
    }

    /** Passive view size, without copying (read after every event for the meters). */
    public int passiveSize() {
        return passive.size();
    }

    /** The i-th active neighbour, without copying (0 <= i < {@link #activeSize()}). */
    public NodeId activeAt(int i) {
        return active.get(i);
    }

    public boolean isActive(NodeId peer) {
        return active.contains(peer);
    }

    /**
     * Enters the overlay through one of {@code contacts} (JOIN, section 4.2), and starts the
     * membership rounds. Calling it again with fresh seeds (from discovery) re-joins through one
     * of them that is not already a neighbour if the active view is not full; the contacts are
     * kept for later rejoins either way.
     */
    public List<Effect<HyParViewMessage>> join(List<NodeId> contacts) {
        if (left) {
            throw new IllegalStateException(self + " left the overlay; a node that comes back is a new incarnation"
                    + " with a new HyParView");
        }
        List<Effect<HyParViewMessage>> out = new ArrayList<>();
        updateContacts(contacts);
        if (!started) {
            started = true;
            // A random first delay spreads the rounds of nodes started together over the interval.
            long first = 1 + random.nextLong(config.shuffleInterval().toMillis());
            out.add(new Effect.Schedule<>(SHUFFLE_TICK, Duration.ofMillis(first)));
        }
        if (active.size() + pending.size() < config.activeViewSize()) {
            sendJoin(out);
        }
        return out;
    }

    /**
     * Becomes {@code fresh}, the next incarnation of this node (its old one was declared DOWN),
     * and forgets both views and every pending request: the links under the old identity are
     * closed by the driver, and the peers drop the old identity anyway. The rounds go on; the
     * caller then {@link #join}s again, through the nodes this one knew.
     */
    public void renew(NodeId fresh) {
        if (!fresh.sameNodeAs(self)) {
            throw new IllegalArgumentException(fresh + " is not an incarnation of " + self);
        }
        self = fresh;
        active.clear();
        passive.clear();
        pending.clear();
        tried.clear();
        lastShuffleSample = List.of();
    }

    /**
     * Replaces the contacts (seeds from discovery) without joining: the shell calls it whenever
     * discovery has a fresh list. Contacts are where a node with nobody left to ask re-joins,
     * and one of the candidates of an occasional promotion, which is how two parts of the
     * overlay that know nothing of each other find each other again.
     */
    public void updateContacts(List<NodeId> contacts) {
        List<NodeId> others = new ArrayList<>(contacts.size());
        for (NodeId c : contacts) {
            if (!c.sameNodeAs(self) && !others.contains(c)) {
                others.add(c);
            }
        }
        this.contacts = List.copyOf(others);
    }

    /**
     * Leaves the overlay: DISCONNECT (marked as leaving, so nobody keeps this node as a
     * backup) to every neighbour, and forget both views. Later events are ignored, and the
     * rounds stop; a node that comes back does so as a new incarnation, with a new instance.
     */
    public List<Effect<HyParViewMessage>> leave() {
        List<Effect<HyParViewMessage>> out = new ArrayList<>();
        for (NodeId n : active) {
            out.add(new Effect.Send<>(n, new Disconnect(true)));
            out.add(new Effect.Disconnect<>(n));
            out.add(new Effect.Notify<>(new OverlayNotification.NeighbourDown(n)));
        }
        for (NodeId n : pending.keySet()) {
            out.add(new Effect.Disconnect<>(n));
        }
        active.clear();
        passive.clear();
        pending.clear();
        tried.clear();
        left = true;
        return out;
    }

    @Override
    public List<Effect<HyParViewMessage>> handle(long nowMillis, Event<HyParViewMessage> event) {
        List<Effect<HyParViewMessage>> out = new ArrayList<>();
        if (left) {
            return out;
        }
        if (event instanceof Event.Received<HyParViewMessage> r) {
            onReceived(r.from(), r.message(), out);
        } else if (event instanceof Event.LinkDown<HyParViewMessage> d) {
            onLinkDown(d.peer(), out);
        } else if (event instanceof Event.TimerFired<HyParViewMessage> t) {
            if (t.timer() instanceof ShuffleTick) {
                onShuffleTick(out);
            } else if (t.timer() instanceof NeighborTimeout nt) {
                onNeighborTimeout(nt, out);
            }
        }
        // LinkUp needs no action: a neighbour enters the active view by protocol messages, not by links.
        return out;
    }

    private void onReceived(NodeId from, HyParViewMessage message, List<Effect<HyParViewMessage>> out) {
        if (from.equals(self)) {
            return;
        }
        if (message instanceof Join) {
            forgetOlderIncarnations(from, out);
            onJoin(from, out);
        } else if (message instanceof ForwardJoin fj) {
            onForwardJoin(from, fj, out);
        } else if (message instanceof Neighbor n) {
            forgetOlderIncarnations(from, out);
            onNeighbor(from, n, out);
        } else if (message instanceof NeighborReply r) {
            onNeighborReply(from, r, out);
        } else if (message instanceof Disconnect d) {
            onDisconnect(from, d, out);
        } else if (message instanceof Shuffle s) {
            onShuffle(from, s, out);
        } else if (message instanceof ShuffleReply r) {
            mergeIntoPassive(r.nodes(), lastShuffleSample);
        }
    }

    // ---- join (section 4.2) ----

    /** Sends JOIN to a random contact that is not a neighbour yet, if there is one. */
    private void sendJoin(List<Effect<HyParViewMessage>> out) {
        List<NodeId> candidates = new ArrayList<>(contacts.size());
        for (NodeId c : contacts) {
            if (!active.contains(c) && !pending.containsKey(c)) {
                candidates.add(c);
            }
        }
        if (candidates.isEmpty()) {
            return; // the first node of a cluster, or every contact is a neighbour already
        }
        NodeId contact = candidates.get(random.nextInt(candidates.size()));
        // The contact always takes a joining node into its active view, so adding it here keeps
        // the views symmetric; if it is dead, the link fails and the repair removes it again.
        addToActive(contact, out);
        out.add(new Effect.Send<>(contact, new Join()));
    }

    private void onJoin(NodeId newNode, List<Effect<HyParViewMessage>> out) {
        addToActive(newNode, out);
        for (NodeId n : active) {
            if (!n.equals(newNode)) {
                out.add(new Effect.Send<>(n, new ForwardJoin(newNode, config.activeRandomWalkLength())));
            }
        }
    }

    private void onForwardJoin(NodeId sender, ForwardJoin fj, List<Effect<HyParViewMessage>> out) {
        NodeId newNode = fj.newNode();
        if (newNode.sameNodeAs(self)) {
            return; // our own walk came back
        }
        if (fj.ttl() == 0 || active.size() <= 1) {
            acceptJoiningNode(newNode, out);
            return;
        }
        if (fj.ttl() == config.passiveRandomWalkLength()) {
            addToPassive(newNode);
        }
        NodeId next = randomActiveExcept(sender, newNode);
        if (next == null) {
            acceptJoiningNode(newNode, out);
        } else {
            out.add(new Effect.Send<>(next, new ForwardJoin(newNode, fj.ttl() - 1)));
        }
    }

    /** The end of a FORWARD_JOIN walk: take the new node, and tell it with a NEIGHBOR it always accepts. */
    private void acceptJoiningNode(NodeId newNode, List<Effect<HyParViewMessage>> out) {
        if (active.contains(newNode)) {
            return;
        }
        addToActive(newNode, out);
        out.add(new Effect.Send<>(newNode, new Neighbor(true)));
    }

    // ---- active view management (section 4.3) ----

    private void onNeighbor(NodeId from, Neighbor n, List<Effect<HyParViewMessage>> out) {
        boolean accept = active.contains(from) || n.highPriority() || active.size() < config.activeViewSize();
        if (accept) {
            pending.remove(from); // a crossed request: theirs wins, ours is answered by this
            addToActive(from, out);
        }
        out.add(new Effect.Send<>(from, new NeighborReply(accept)));
        if (!accept && !pending.containsKey(from)) {
            out.add(new Effect.Disconnect<>(from)); // their request opened a link we do not want
        }
    }

    private void onNeighborReply(NodeId from, NeighborReply reply, List<Effect<HyParViewMessage>> out) {
        boolean wasPending = pending.remove(from) != null;
        if (reply.accepted()) {
            if (wasPending || active.size() < config.activeViewSize()) {
                addToActive(from, out);
            } else if (!active.contains(from)) {
                // A late acceptance after we gave up and filled the view: undo it on their side.
                out.add(new Effect.Send<>(from, new Disconnect(false)));
                out.add(new Effect.Disconnect<>(from));
            }
        } else if (wasPending) {
            tried.add(from);
            rejections++;
            out.add(new Effect.Disconnect<>(from));
            fillActiveView(out);
        }
    }

    private void onDisconnect(NodeId from, Disconnect d, List<Effect<HyParViewMessage>> out) {
        boolean wasPending = pending.remove(from) != null;
        if (active.remove(from)) {
            out.add(new Effect.Notify<>(new OverlayNotification.NeighbourDown(from)));
        }
        if (d.leaving()) {
            passive.remove(from);
        } else {
            addToPassive(from);
        }
        // As in the paper, the free slot is not refilled at once (the peer that dropped us made
        // room for a joining node, and asking others now would mostly be refused): the next
        // round tops the view up. Only a lost last neighbour is repaired at once.
        if (wasPending || active.isEmpty()) {
            fillActiveView(out);
        }
    }

    private void onLinkDown(NodeId peer, List<Effect<HyParViewMessage>> out) {
        boolean wasActive = active.remove(peer);
        boolean wasPending = pending.remove(peer) != null;
        if (wasActive) {
            out.add(new Effect.Notify<>(new OverlayNotification.NeighbourDown(peer)));
        }
        if (wasActive || wasPending) {
            // A failed node is not kept as a backup (section 4.3).
            passive.remove(peer);
            tried.remove(peer);
            fillActiveView(out);
        }
        // A link down for anyone else is a temporary link closing (a shuffle reply); nothing to do.
    }

    private void onNeighborTimeout(NeighborTimeout t, List<Effect<HyParViewMessage>> out) {
        Long attempt = pending.get(t.peer());
        if (attempt == null || attempt != t.attempt()) {
            return;
        }
        pending.remove(t.peer());
        tried.add(t.peer());
        rejections++;
        out.add(new Effect.Disconnect<>(t.peer()));
        fillActiveView(out);
    }

    /**
     * Asks random passive nodes to become neighbours until the active view plus the requests in
     * flight fill it; high priority when the active view is empty (section 4.3). Failed nodes
     * are skipped at no cost, but after activeViewSize refusals in a round a node with at least
     * one neighbour waits for the next round: its neighbourhood is full, and asking all of the
     * passive view would only cost messages.
     */
    private void fillActiveView(List<Effect<HyParViewMessage>> out) {
        while (active.size() + pending.size() < config.activeViewSize()
                && (active.isEmpty() || rejections < config.activeViewSize())) {
            NodeId candidate = randomCandidate();
            if (candidate == null) {
                break;
            }
            long attempt = ++attempts;
            pending.put(candidate, attempt);
            out.add(new Effect.Send<>(candidate, new Neighbor(active.isEmpty())));
            out.add(new Effect.Schedule<>(new NeighborTimeout(candidate, attempt), config.neighborTimeout()));
        }
        if (active.isEmpty() && pending.isEmpty()) {
            out.add(new Effect.Notify<>(new OverlayNotification.NeedsContacts()));
        }
    }

    /**
     * Asks a random passive node or contact to become a neighbour even though the active view is
     * full or its low priority requests are being refused (see {@link HyParViewConfig#promotionRounds()}):
     * high priority, so it accepts and makes room, and this node makes room if it must when the
     * answer comes.
     */
    private void promoteAnyway(List<Effect<HyParViewMessage>> out) {
        // A contact is as likely as any one passive node: passive views alone may all lie
        // inside one part of a split overlay, while discovery knows every live node.
        List<NodeId> freshContacts = new ArrayList<>(contacts.size());
        for (NodeId c : contacts) {
            if (!active.contains(c) && !pending.containsKey(c) && !passive.contains(c)) {
                freshContacts.add(c);
            }
        }
        NodeId candidate;
        int pick = random.nextInt(passive.size() + freshContacts.size() + 1);
        if (pick < freshContacts.size()) {
            candidate = freshContacts.get(pick);
        } else {
            candidate = randomCandidate();
        }
        if (candidate != null) {
            long attempt = ++attempts;
            pending.put(candidate, attempt);
            out.add(new Effect.Send<>(candidate, new Neighbor(true)));
            out.add(new Effect.Schedule<>(new NeighborTimeout(candidate, attempt), config.neighborTimeout()));
        }
    }

    private NodeId randomCandidate() {
        int n = passive.size();
        if (n == 0) {
            return null;
        }
        int start = random.nextInt(n);
        for (int i = 0; i < n; i++) {
            NodeId c = passive.get((start + i) % n);
            if (!pending.containsKey(c) && !tried.contains(c)) {
                return c;
            }
        }
        return null;
    }

    private void addToActive(NodeId node, List<Effect<HyParViewMessage>> out) {
        if (node.equals(self) || active.contains(node)) {
            return;
        }
        if (active.size() >= config.activeViewSize()) {
            NodeId dropped = active.remove(random.nextInt(active.size()));
            out.add(new Effect.Send<>(dropped, new Disconnect(false)));
            out.add(new Effect.Disconnect<>(dropped));
            out.add(new Effect.Notify<>(new OverlayNotification.NeighbourDown(dropped)));
            addToPassive(dropped);
        }
        passive.remove(node);
        tried.remove(node);
        pending.remove(node); // a request in flight to it is moot; its answer finds it active
        active.add(node);
        out.add(new Effect.Connect<>(node));
        out.add(new Effect.Notify<>(new OverlayNotification.NeighbourUp(node)));
    }

    // ---- passive view management (section 4.4) ----

    private void onShuffleTick(List<Effect<HyParViewMessage>> out) {
        out.add(new Effect.Schedule<>(SHUFFLE_TICK, config.shuffleInterval()));
        tried.clear();
        rejections = 0;
        if (active.size() < config.activeViewSize()) {
            fillActiveView(out);
            if (active.size() + pending.size() < config.activeViewSize()) {
                // Nobody left to ask: only a contact can connect this node (or its island) again.
                // (fillActiveView already said so if the active view is empty.)
                if (!active.isEmpty()) {
                    out.add(new Effect.Notify<>(new OverlayNotification.NeedsContacts()));
                }
                sendJoin(out);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        if (config.promotionRounds() > 0 && random.nextInt(config.promotionRounds()) == 0) {
            promoteAnyway(out);
        }
        List<NodeId> sample = new ArrayList<>(config.shuffleSampleSize());
        sample.add(self);
        addRandomSample(active, config.shuffleActive(), sample);
        addRandomSample(passive, config.shufflePassive(), sample);
        lastShuffleSample = sample;
        NodeId target = active.get(random.nextInt(active.size()));
        out.add(new Effect.Send<>(target, new Shuffle(self, config.shuffleTtl(), sample)));
    }

    private void onShuffle(NodeId from, Shuffle s, List<Effect<HyParViewMessage>> out) {
        if (!active.contains(from) && !pending.containsKey(from)) {
            // Walks only travel over active links, and links keep order, so the sender holds us
            // as a neighbour while we do not hold it (a lost JOIN, say): tell it to drop us.
            out.add(new Effect.Send<>(from, new Disconnect(false)));
            out.add(new Effect.Disconnect<>(from));
        }
        NodeId origin = s.origin();
        if (origin.sameNodeAs(self)) {
            return;
        }
        int ttl = s.ttl() - 1;
        if (ttl > 0 && active.size() > 1) {
            NodeId next = randomActiveExcept(from, origin);
            if (next != null) {
                out.add(new Effect.Send<>(next, new Shuffle(origin, ttl, s.nodes())));
                return;
            }
        }
        List<NodeId> reply = new ArrayList<>(s.nodes().size());
        addRandomSample(passive, s.nodes().size(), reply);
        out.add(new Effect.Send<>(origin, new ShuffleReply(reply)));
        if (!active.contains(origin) && !pending.containsKey(origin)) {
            out.add(new Effect.Disconnect<>(origin)); // the reply went on a temporary link (section 4.4)
        }
        mergeIntoPassive(s.nodes(), reply);
    }

    /** Adds {@code nodes} to the passive view, evicting first those in {@code evictFirst}, then random ones. */
    private void mergeIntoPassive(List<NodeId> nodes, List<NodeId> evictFirst) {
        int evictIndex = 0;
        for (NodeId n : nodes) {
            if (n.sameNodeAs(self) || active.contains(n) || passive.contains(n)) {
                continue;
            }
            if (passive.size() >= config.passiveViewSize()) {
                boolean evicted = false;
                while (evictIndex < evictFirst.size() && !evicted) {
                    NodeId e = evictFirst.get(evictIndex++);
                    evicted = !pending.containsKey(e) && passive.remove(e);
                }
                if (!evicted) {
                    passive.remove(random.nextInt(passive.size()));
                }
            }
            passive.add(n);
        }
    }

    private void addToPassive(NodeId node) {
        if (node.sameNodeAs(self) || active.contains(node) || passive.contains(node)) {
            return;
        }
        if (passive.size() >= config.passiveViewSize()) {
            passive.remove(random.nextInt(passive.size()));
        }
        passive.add(node);
    }

    // ---- helpers ----

    /**
     * A restarted node has a new incarnation, and comes back with JOIN or NEIGHBOR: entries for
     * its previous incarnation are stale then, and a neighbour link to it is gone.
     */
    private void forgetOlderIncarnations(NodeId from, List<Effect<HyParViewMessage>> out) {
        for (int i = active.size() - 1; i >= 0; i--) {
            NodeId n = active.get(i);
            if (n.sameNodeAs(from) && n.incarnation() < from.incarnation()) {
                active.remove(i);
                pending.remove(n);
                out.add(new Effect.Notify<>(new OverlayNotification.NeighbourDown(n)));
            }
        }
        passive.removeIf(n -> n.sameNodeAs(from) && n.incarnation() < from.incarnation());
    }

    private NodeId randomActiveExcept(NodeId a, NodeId b) {
        int n = active.size();
        if (n == 0) {
            return null;
        }
        int start = random.nextInt(n);
        for (int i = 0; i < n; i++) {
            NodeId c = active.get((start + i) % n);
            if (!c.equals(a) && !c.equals(b)) {
                return c;
            }
        }
        return null;
    }

    /** Appends up to {@code k} distinct random elements of {@code from} to {@code to} (a partial Fisher-Yates on indices). */
    private void addRandomSample(List<NodeId> from, int k, List<NodeId> to) {
        int n = from.size();
        if (k >= n) {
            to.addAll(from);
            return;
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            to.add(from.get(idx[i]));
        }
    }
}
