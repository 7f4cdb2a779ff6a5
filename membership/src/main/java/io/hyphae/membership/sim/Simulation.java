package io.hyphae.membership.sim;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.TimerKey;
import io.hyphae.membership.faults.Fault;
import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.faults.FaultRules;
import io.hyphae.membership.faults.Links;
import io.hyphae.membership.faults.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A deterministic network of simulated nodes on virtual time, in one thread: the same protocol
 * cores that run over Netty run here, thousands at once, with latency and crashes injected, and
 * the faults of a node's transport ({@link #faults()}: drop, delay, duplicate, reorder,
 * partition) applied to the whole network. All randomness comes from {@link SimConfig#seed()}, so a seed and a script
 * replay a run exactly; an exception thrown by a node is rethrown as a
 * {@link SimulationException} naming the seed and the virtual time.
 *
 * <p>Links follow the semantics documented on {@link io.hyphae.membership.core.Effect}: one
 * link per pair, in order, opened on first use; a link to a crashed node, or one a fault rule
 * cuts or drops every message of, fails after {@link SimConfig#failureDetection()}; an attempt to
 * reach a partitioned node fails after {@link SimConfig#connectTimeout()}, while one to a crashed
 * node is refused after a round trip (its host answers that nothing listens: a process crash, not
 * a machine's); a closed link drops what the other end had in flight.
 *
 * <p>Not thread safe; everything happens on the caller's thread inside {@link #runFor}.
 */
public final class Simulation {

    private static final byte MESSAGE = 0;
    private static final byte LINK_UP = 1;
    private static final byte LINK_DOWN = 2;
    private static final byte CLOSE = 3;
    private static final byte TIMER = 4;
    private static final byte ACTION = 5;
    private static final byte REFUSED = 6;
    /** An event for a stalled node, held until it thaws ({@link Held}). */
    private static final byte HELD = 7;
    /** Link generation of a failed attempt to open a link (no link existed). */
    private static final int NO_LINK = -1;
    private static final int PORT = 4370;

    private final SimConfig config;
    private final SplittableRandom network;
    private final EventQueue queue = new EventQueue();
    private final Map<NodeId, Integer> indexOf = new HashMap<>();
    private Slot[] slots = new Slot[64];
    private int count;
    private long now;
    private int nextLinkGeneration = 1;
    private final int minLatency;
    private final int latencySpread;
    private final long connectTimeout;
    private final long failureDetection;
    private long messagesSent;
    private long messagesDelivered;
    private long messagesLost;
    /** How late the event being dispatched now is: above 0 only for one a stalled node held. */
    private long lag;
    private Consumer<String> trace;
    private final FaultInjector faults;
    /** The fault rules now; swapped on every change, so a message is judged without a volatile read. */
    private FaultRules rules;

    public Simulation(SimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.network = new SplittableRandom(config.seed());
        this.minLatency = (int) config.minLatency().toMillis();
        this.latencySpread = (int) (config.maxLatency().toMillis() - minLatency) + 1;
        this.connectTimeout = config.connectTimeout().toMillis();
        this.failureDetection = config.failureDetection().toMillis();
        this.faults = FaultInjector.quiet("simulation seed=" + config.seed(), config.seed());
        if (config.lossRate() > 0) {
            faults.add(new Fault.Drop(Links.ANY, config.lossRate()));
        }
        this.rules = faults.current();
        faults.knownNodes(this::nodeNames);
        faults.onChange(this::faultsChanged);
    }

    public SimConfig config() {
        return config;
    }

    public long seed() {
        return config.seed();
    }

    /**
     * Reports every event handed to a node, one line each ({@code t=… node <- peer what}), to
     * read what happened in a replayed run. Slows the run down; null turns it off.
     */
    public void trace(Consumer<String> sink) {
        this.trace = sink;
    }

    /** Virtual time in milliseconds since the start. */
    public long nowMillis() {
        return now;
    }

    /**
     * Adds a node named {@code n<i>} with a distinct address and incarnation 1; {@code factory}
     * builds what runs on it from its context. Nothing happens until the caller tells the node
     * to do something (for example join) or a message reaches it.
     */
    public NodeId addNode(Function<SimContext, ? extends SimNode> factory) {
        int i = count;
        NodeId id = new NodeId("n" + i, address(i), 1);
        return install(id, factory);
    }

    /**
     * Crashes {@code old} if it is still alive and starts a new incarnation of it on the same
     * name and address: a different {@link NodeId} as far as every protocol is concerned.
     */
    public NodeId restart(NodeId old, Function<SimContext, ? extends SimNode> factory) {
        crash(old);
        return install(new NodeId(old.name(), old.address(), old.incarnation() + 1), factory);
    }

    private NodeId install(NodeId id, Function<SimContext, ? extends SimNode> factory) {
        if (count == slots.length) {
            slots = Arrays.copyOf(slots, count * 2);
        }
        Slot s = new Slot(count, id, network.split());
        slots[count] = s;
        indexOf.put(id, count);
        count++;
        s.node = Objects.requireNonNull(factory.apply(s), "factory returned null");
        return id;
    }

    private static HostAndPort address(int i) {
        return new HostAndPort("10." + ((i >> 16) & 0xFF) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF), PORT);
    }

    /** Every node ever added, in the order added (crashed ones included). */
    public List<NodeId> nodes() {
        List<NodeId> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(slots[i].id);
        }
        return all;
    }

    public List<NodeId> aliveNodes() {
        List<NodeId> alive = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (slots[i].alive) {
                alive.add(slots[i].id);
            }
        }
        return alive;
    }

    public boolean isAlive(NodeId id) {
        Integer i = indexOf.get(id);
        return i != null && slots[i].alive;
    }

    /** What runs on {@code id}. */
    public SimNode node(NodeId id) {
        Integer i = indexOf.get(id);
        if (i == null) {
            throw new IllegalArgumentException("no such simulated node: " + id);
        }
        return slots[i].node;
    }

    /** What runs on {@code id}, as the type the factory built. */
    public <T extends SimNode> T node(NodeId id, Class<T> type) {
        return type.cast(node(id));
    }

    /** The context of {@code id}, to drive it from a test or a workload (for example to send a command). */
    public SimContext context(NodeId id) {
        Integer i = indexOf.get(id);
        if (i == null) {
            throw new IllegalArgumentException("no such simulated node: " + id);
        }
        return slots[i];
    }

    /** Runs {@code action} on the simulator's thread after {@code delay} of virtual time. */
    public void at(Duration delay, Runnable action) {
        queue.add(now, now + delay.toMillis(), ACTION, -1, -1, 0, Objects.requireNonNull(action, "action"));
    }

    /**
     * Crashes {@code id} now: it stops processing, what is in flight to it is lost, and each
     * node with a link to it sees that link go down after the failure-detection delay.
     */
    public void crash(NodeId id) {
        Integer i = indexOf.get(id);
        if (i == null || !slots[i].alive) {
            return;
        }
        Slot s = slots[i];
        s.alive = false;
        for (int l = 0; l < s.links; l++) {
            queue.add(now, now + failureDetection, LINK_DOWN, s.peerAt(l), s.index, s.genAt(l), null);
        }
        s.links = 0;
    }

    /**
     * Starves {@code id} for {@code duration}, as a long GC pause or an overloaded machine would:
     * it handles nothing meanwhile, and what reaches it (messages, link events, its own timers)
     * waits and is handled in order when it thaws, each as late as it waited
     * ({@link SimContext#lagMillis}). Its heartbeats stop too: if the stall outlasts the failure
     * detection, each of its links breaks, at the other end after the failure-detection delay and
     * at its own once it thaws; a link opened to it meanwhile fails as a handshake would, after
     * the connect timeout, unless it thaws before. Stalling a stalled node extends the stall.
     */
    public void stall(NodeId id, Duration duration) {
        Integer i = indexOf.get(id);
        if (i == null || !slots[i].alive) {
            return;
        }
        Slot s = slots[i];
        long until = now + duration.toMillis();
        if (until <= s.stalledUntil) {
            return;
        }
        if (duration.toMillis() > failureDetection) {
            for (int l = 0; l < s.links; l++) {
                queue.add(now, now + failureDetection, LINK_DOWN, s.peerAt(l), s.index, s.genAt(l), null);
                queue.add(now, now + failureDetection, LINK_DOWN, s.index, s.peerAt(l), s.genAt(l), null);
            }
        }
        s.stalledUntil = until;
    }

    /** An event that reached a stalled node, due at {@code due}; {@link #HELD} until the node thaws. */
    private record Held(byte kind, long due, Object payload) {
    }

    /**
     * The network's fault rules, in the vocabulary of a node's transport
     * ({@link io.hyphae.membership.HyphaeNode#faults()}), applied cluster-wide: every message is
     * judged once, as its sender's injector would judge it, with draws from the run's seed.
     * Links a rule starts to cut (a partition, or a drop of every message) go down at both ends
     * after the failure-detection delay; removing the rule lets new links open (broken ones stay
     * broken until reopened). {@link SimConfig#lossRate()}, when set, is rule 1: a drop on every
     * link. Simulated messages carry no protocol id, so a rule limited to one protocol matches
     * none of them.
     */
    public FaultInjector faults() {
        return faults;
    }

    private Set<String> nodeNames() {
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            names.add(slots[i].id.name());
        }
        return names;
    }

    /** New rules: the links they cut fail at both ends, as their heartbeats would stop arriving. */
    private void faultsChanged() {
        rules = faults.current();
        for (int i = 0; i < count; i++) {
            Slot s = slots[i];
            if (!s.alive) {
                continue;
            }
            for (int l = 0; l < s.links; l++) {
                if (cut(s, slots[s.peerAt(l)])) {
                    queue.add(now, now + failureDetection, LINK_DOWN, s.index, s.peerAt(l), s.genAt(l), null);
                }
            }
        }
    }

    /** True if the rules lose every message one way or the other between {@code a} and {@code b}. */
    private boolean cut(Slot a, Slot b) {
        return !rules.isEmpty() && (rules.blackholes(a.id.name(), b.id.name()) || rules.blackholes(b.id.name(), a.id.name()));
    }

    /** Runs every event due within the next {@code duration} of virtual time. */
    public void runFor(Duration duration) {
        runUntil(now + duration.toMillis());
    }

    /** Runs every event due at or before virtual time {@code time}, then sets the clock to it. */
    public void runUntil(long time) {
        while (true) {
            long t = queue.nextTime(now, time);
            if (t < 0) {
                break;
            }
            now = t;
            EventQueue.Bucket b = queue.take(t);
            while (b.hasNext()) {
                int r = b.read++;
                Object payload = b.payload[r];
                b.payload[r] = null;
                try {
                    dispatch(b.kind[r], b.target[r], b.source[r], b.aux[r], payload);
                } catch (SimulationException e) {
                    throw e;
                } catch (RuntimeException | AssertionError e) {
                    int target = b.target[r];
                    throw new SimulationException("seed=" + config.seed() + " t=" + now + "ms"
                            + (target >= 0 ? " node=" + slots[target].id : "") + ": " + e, e);
                }
            }
            queue.done(t, b);
        }
        now = Math.max(now, time);
    }

    public long messagesSent() {
        return messagesSent;
    }

    public long messagesDelivered() {
        return messagesDelivered;
    }

    /** Messages dropped: to a crashed or partitioned node, on a closed link, or by the loss rate. */
    public long messagesLost() {
        return messagesLost;
    }

    /** Events waiting in the calendar (timers included). */
    public long pendingEvents() {
        return queue.size();
    }

    private void dispatch(byte kind, int target, int source, int aux, Object payload) {
        if (kind == ACTION) {
            ((Runnable) payload).run();
            return;
        }
        Slot t = slots[target];
        if (t.stalledUntil > now && t.alive) {
            Held held = kind == HELD ? (Held) payload : new Held(kind, now, payload);
            queue.add(now, t.stalledUntil, HELD, target, source, aux, held);
            return;
        }
        if (kind == HELD) {
            Held held = (Held) payload;
            lag = now - held.due();
            try {
                dispatch(held.kind(), target, source, aux, held.payload());
            } finally {
                lag = 0;
            }
            return;
        }
        if (!t.alive) {
            if (kind == MESSAGE) {
                messagesLost++;
            }
            return;
        }
        if (trace != null) {
            String peer = source >= 0 ? slots[source].id.name() : String.valueOf(payload);
            trace.accept("t=" + now + " " + t.id.name() + " <- " + switch (kind) {
                case MESSAGE -> peer + " " + payload + (t.receives(source, aux) ? "" : " (link closed: dropped)");
                case LINK_UP -> peer + " link up";
                case REFUSED -> peer + " refused the connection";
                case LINK_DOWN -> peer + " link down";
                case CLOSE -> peer + " closed the link";
                default -> "timer " + payload;
            });
        }
        switch (kind) {
            case MESSAGE -> {
                if (!t.receives(source, aux)) {
                    messagesLost++; // the link closed or broke while this was in flight
                    return;
                }
                messagesDelivered++;
                NodeId from = slots[source].id;
                t.node.onMessage(from, payload);
            }
            case LINK_UP -> {
                if (t.linkIndex(source, aux) >= 0) {
                    NodeId peer = slots[source].id;
                    t.node.onLinkUp(peer);
                }
            }
            case LINK_DOWN -> {
                NodeId peer = source >= 0 ? slots[source].id : (NodeId) payload;
                if (aux == NO_LINK) {
                    // A failed attempt; moot if a link to that peer has been opened since.
                    if (source >= 0 && t.findLink(source) >= 0) {
                        return;
                    }
                } else {
                    int l = t.linkIndex(source, aux);
                    if (l < 0) {
                        return;
                    }
                    t.removeLink(l);
                }
                t.node.onLinkDown(peer);
            }
            case CLOSE -> {
                int l = t.findLink(source);
                if (l >= 0 && t.genAt(l) == aux) {
                    t.removeLink(l);
                    t.node.onLinkDown(slots[source].id);
                } else if (l >= 0 && t.linkPrevGen[l] == aux) {
                    t.linkPrevGen[l] = 0; // the old link is gone, but a newer one is up: nothing to report
                }
            }
            case REFUSED -> {
                if (t.findLink(source) < 0) { // moot if a link to that peer has been opened since
                    t.node.onConnectionRefused(slots[source].id);
                }
            }
            case TIMER -> t.node.onTimer((TimerKey) payload);
            default -> throw new IllegalStateException("unknown event kind " + kind);
        }
    }

    private int latency() {
        return minLatency + (latencySpread == 1 ? 0 : network.nextInt(latencySpread));
    }

    private void send(Slot from, NodeId to, Object message) {
        Objects.requireNonNull(message, "message");
        Integer ti = indexOf.get(to);
        if (ti == null) {
            if (from.alive) {
                messagesSent++;
                messagesLost++;
                queue.add(now, now + connectTimeout, LINK_DOWN, from.index, -1, NO_LINK, to);
            }
            return;
        }
        sendTo(from, ti, message);
    }

    private void sendTo(Slot from, int ti, Object message) {
        if (!from.alive) {
            return;
        }
        messagesSent++;
        Slot t = slots[ti];
        int l = from.findLink(ti);
        if (l < 0) {
            l = open(from, t);
            if (l < 0) {
                messagesLost++;
                return;
            }
        }
        Verdict v = !t.alive ? Verdict.DROP
                : rules.isEmpty() ? Verdict.PASS : rules.judge(from.id.name(), t.id.name(), -1, network);
        if (v.dropped()) {
            messagesLost++; // detection comes from the crash or the rule itself, after the detection delay
            return;
        }
        long at = Math.max(now + latency() + millis(v.delayNanos()), from.linkLastDelivery[l]);
        if (v.holdNanos() == 0) {
            from.linkLastDelivery[l] = at;
        } else {
            at += millis(v.holdNanos()); // out of order: later messages do not wait for this one
        }
        for (int c = 0; c < v.copies(); c++) {
            queue.add(now, at, MESSAGE, ti, from.index, from.genAt(l), message);
        }
    }

    /** Nanoseconds as virtual milliseconds, rounded up so a short delay is not lost. */
    private static long millis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }

    /** Opens a link from {@code a} to {@code b}; returns its index at {@code a}, or -1 if {@code b} cannot be reached. */
    private int open(Slot a, Slot b) {
        boolean partitioned = !rules.isEmpty() && rules.blocksLink(a.id.name(), b.id.name());
        if (!b.alive && !partitioned) {
            queue.add(now, now + 2L * latency(), REFUSED, a.index, b.index, NO_LINK, null);
            return -1;
        }
        if (partitioned || b.stalledUntil - now > connectTimeout) {
            // Dropped SYNs, or a handshake the stalled process does not answer in time.
            queue.add(now, now + connectTimeout, LINK_DOWN, a.index, b.index, NO_LINK, null);
            return -1;
        }
        int gen = nextLinkGeneration++;
        int oneWay = latency();
        // The transport's handshake takes a round trip before the first message can follow it,
        // and nothing overtakes what a was still delivering on a link it has just closed.
        long firstDelivery = now + 2L * oneWay;
        int old = b.findLink(a.index);
        if (old >= 0 && b.linkCloseAt[old] > 0) {
            firstDelivery = Math.max(firstDelivery, b.linkCloseAt[old]);
        }
        int la = a.addLink(b.index, gen, firstDelivery);
        b.addLink(a.index, gen, now + oneWay);
        queue.add(now, now + oneWay, LINK_UP, b.index, a.index, gen, null);
        queue.add(now, now + 2L * oneWay, LINK_UP, a.index, b.index, gen, null);
        if (cut(a, b)) {
            // It opens, but its heartbeats never arrive: both ends see it fail.
            queue.add(now, now + failureDetection, LINK_DOWN, a.index, b.index, gen, null);
            queue.add(now, now + failureDetection, LINK_DOWN, b.index, a.index, gen, null);
        }
        return la;
    }

    private void connect(Slot from, NodeId peer) {
        if (!from.alive) {
            return;
        }
        Integer pi = indexOf.get(peer);
        if (pi == null) {
            queue.add(now, now + connectTimeout, LINK_DOWN, from.index, -1, NO_LINK, peer);
        } else if (from.findLink(pi) < 0) {
            open(from, slots[pi]);
        }
    }

    private void disconnect(Slot from, NodeId peer) {
        Integer pi = indexOf.get(peer);
        if (pi == null || !from.alive) {
            return;
        }
        int l = from.findLink(pi);
        if (l < 0) {
            return;
        }
        int gen = from.genAt(l);
        long at = Math.max(now + latency(), from.linkLastDelivery[l]);
        from.removeLink(l);
        Slot peerSlot = slots[pi];
        int back = peerSlot.linkIndex(from.index, gen);
        if (back >= 0) {
            peerSlot.linkCloseAt[back] = at;
        }
        queue.add(now, at, CLOSE, pi, from.index, gen, null);
    }

    private NodeId renew(Slot s) {
        while (s.links > 0) {
            disconnect(s, slots[s.peerAt(0)].id);
        }
        NodeId fresh = new NodeId(s.id.name(), s.id.address(), s.id.incarnation() + 1);
        indexOf.remove(s.id);
        indexOf.put(fresh, s.index);
        s.id = fresh;
        return fresh;
    }

    private void schedule(Slot on, TimerKey timer, Duration after) {
        queue.add(now, now + after.toMillis(), TIMER, on.index, -1, 0, Objects.requireNonNull(timer, "timer"));
    }

    /** One node: its identity, state, random source, links, and its {@link SimContext}. */
    private final class Slot implements SimContext {
        final int index;
        NodeId id;
        final SplittableRandom random;
        SimNode node;
        boolean alive = true;
        /** Virtual time until which this node is starved ({@link #stall}); 0 if never. */
        long stalledUntil;
        /** Per link: the peer's index in the high half, the link generation in the low half. */
        long[] link = new long[8];
        /** Per link: when the last message sent on it arrives, so later ones arrive after it (TCP order). */
        long[] linkLastDelivery = new long[8];
        /**
         * Per link: when the other end closed it, the time its close arrives here (0 if open).
         * If the other end opens a new link before that, what it sent on the old one still
         * arrives first, as on a fresh TCP connection next to one being torn down.
         */
        long[] linkCloseAt = new long[8];
        /** Per link: the generation of the old link being replaced, still accepted until its close arrives (0: none). */
        int[] linkPrevGen = new int[8];
        int links;

        Slot(int index, NodeId id, SplittableRandom random) {
            this.index = index;
            this.id = id;
            this.random = random;
        }

        int findLink(int peer) {
            for (int l = 0; l < links; l++) {
                if ((int) (link[l] >>> 32) == peer) {
                    return l;
                }
            }
            return -1;
        }

        int linkIndex(int peer, int gen) {
            long key = pack(peer, gen);
            for (int l = 0; l < links; l++) {
                if (link[l] == key) {
                    return l;
                }
            }
            return -1;
        }

        /** True if a message sent by {@code peer} on link generation {@code gen} is still received here. */
        boolean receives(int peer, int gen) {
            int l = findLink(peer);
            return l >= 0 && (genAt(l) == gen || linkPrevGen[l] == gen);
        }

        int peerAt(int l) {
            return (int) (link[l] >>> 32);
        }

        int genAt(int l) {
            return (int) link[l];
        }

        int addLink(int peer, int gen, long lastDelivery) {
            int l = findLink(peer);
            int prev = 0;
            if (l < 0) {
                if (links == link.length) {
                    int n = links * 2;
                    link = Arrays.copyOf(link, n);
                    linkLastDelivery = Arrays.copyOf(linkLastDelivery, n);
                    linkCloseAt = Arrays.copyOf(linkCloseAt, n);
                    linkPrevGen = Arrays.copyOf(linkPrevGen, n);
                }
                l = links++;
            } else if (linkCloseAt[l] > 0) {
                prev = genAt(l); // the other end closed it; its last messages are still on the way
            }
            link[l] = pack(peer, gen);
            linkLastDelivery[l] = lastDelivery;
            linkCloseAt[l] = 0;
            linkPrevGen[l] = prev;
            return l;
        }

        void removeLink(int l) {
            int last = --links;
            link[l] = link[last];
            linkLastDelivery[l] = linkLastDelivery[last];
            linkCloseAt[l] = linkCloseAt[last];
            linkPrevGen[l] = linkPrevGen[last];
        }

        private static long pack(int peer, int gen) {
            return ((long) peer << 32) | (gen & 0xFFFFFFFFL);
        }

        @Override
        public NodeId self() {
            return id;
        }

        @Override
        public long nowMillis() {
            return now;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public long lagMillis() {
            return lag;
        }

        @Override
        public void send(NodeId to, Object message) {
            Simulation.this.send(this, to, message);
        }

        @Override
        public int addressOf(NodeId peer) {
            Integer i = indexOf.get(peer);
            return i == null ? -1 : i;
        }

        @Override
        public void sendTo(int address, Object message) {
            if (address < 0 || address >= count) {
                throw new IllegalArgumentException("no simulated node numbered " + address);
            }
            Simulation.this.sendTo(this, address, Objects.requireNonNull(message, "message"));
        }

        @Override
        public void connect(NodeId peer) {
            Simulation.this.connect(this, peer);
        }

        @Override
        public void disconnect(NodeId peer) {
            Simulation.this.disconnect(this, peer);
        }

        @Override
        public void schedule(TimerKey timer, Duration after) {
            Simulation.this.schedule(this, timer, after);
        }

        @Override
        public NodeId renewIncarnation() {
            return renew(this);
        }
    }
}
