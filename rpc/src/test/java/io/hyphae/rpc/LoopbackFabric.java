package io.hyphae.rpc;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.rpc.spi.MembershipView;
import io.hyphae.rpc.spi.Messaging;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcWireCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A test-only cluster in one JVM: each node gets an in-memory {@link MembershipView} and
 * {@link Messaging}. Every frame is encoded with the real {@link RpcWireCodec} and decoded on the
 * receiver's own single "I/O thread", so frames between two nodes keep their order as on one
 * TCP link. The test drives the faults: cut a link, kill a node (its links reset, sends to it
 * are refused), let a node leave, or hold broadcasts and release them shuffled and duplicated.
 *
 * <p>It stands in for the transport and Plumtree until they exist; it does not replace the
 * multi-process tests that will run on them.
 */
final class LoopbackFabric implements AutoCloseable {

    private final RpcWireCodec codec = new RpcWireCodec();
    private final Map<NodeId, Node> nodes = new ConcurrentHashMap<>();
    private final Set<NodeId> live = ConcurrentHashMap.newKeySet();
    private final Set<NodeId> dead = ConcurrentHashMap.newKeySet();
    private final Set<Set<NodeId>> cutLinks = ConcurrentHashMap.newKeySet();
    private final List<HeldFrame> heldBroadcasts = new CopyOnWriteArrayList<>();
    private volatile boolean holdBroadcasts;
    private int nextPort = 7000;

    /** Adds a live member; its view and messaging are the returned node. */
    synchronized Node join(String name) {
        NodeId id = new NodeId(name, new HostAndPort("127.0.0.1", nextPort++), 1);
        Node node = new Node(id);
        nodes.put(id, node);
        live.add(id);
        return node;
    }

    /** Closes the link between {@code a} and {@code b}: both learn at once, and sends between them are refused until healed. */
    void cutLink(NodeId a, NodeId b) {
        cutLinks.add(Set.of(a, b));
        nodes.get(a).io.execute(() -> nodes.get(a).inbound.linkLost(b));
        nodes.get(b).io.execute(() -> nodes.get(b).inbound.linkLost(a));
    }

    /** Kills {@code victim} like kill -9: its links reset (peers learn at once), later connects are refused; the directory has not noticed yet. */
    void kill(NodeId victim) {
        dead.add(victim);
        for (Node n : nodes.values()) {
            if (!n.id.equals(victim)) {
                n.io.execute(() -> n.inbound.linkLost(victim));
            }
        }
    }

    /** {@code node} leaves gracefully: every other member's directory drops it at once. */
    void leave(NodeId node) {
        live.remove(node);
        dead.add(node);
        for (Node n : nodes.values()) {
            if (!n.id.equals(node)) {
                n.io.execute(() -> n.listeners.forEach(l -> l.memberDown(node, MembershipView.Departure.LEFT)));
            }
        }
    }

    /** Broadcast frames held so far (one per receiver of each broadcast): the RPC layer hands them over from its loop, later than abcast returns. */
    int heldFrames() {
        return heldBroadcasts.size();
    }

    /** From now on broadcasts are held instead of delivered, until {@link #releaseHeld}. */
    void holdBroadcasts() {
        holdBroadcasts = true;
    }

    /**
     * Delivers every held broadcast frame in a shuffled order, a share of them twice, on the
     * calling thread, and stops holding.
     */
    void releaseHeld(Random random, int duplicatePercent) {
        releaseHeld(random, duplicatePercent, m -> false);
    }

    /** As {@link #releaseHeld(Random, int)}, losing every held frame that {@code lose} selects. */
    void releaseHeld(Random random, int duplicatePercent, Predicate<RpcMessage.Broadcast> lose) {
        holdBroadcasts = false;
        List<HeldFrame> frames = new ArrayList<>(heldBroadcasts);
        heldBroadcasts.clear();
        frames.removeIf(f -> lose.test(f.cast()));
        List<HeldFrame> schedule = new ArrayList<>(frames);
        for (HeldFrame f : frames) {
            if (random.nextInt(100) < duplicatePercent) {
                schedule.add(f);
            }
        }
        Collections.shuffle(schedule, random);
        schedule.forEach(f -> deliver(f.from(), f.to(), f.frame()));
    }

    private record HeldFrame(NodeId from, Node to, RpcMessage.Broadcast cast, byte[] frame) {
    }

    @Override
    public void close() {
        nodes.values().forEach(n -> n.io.shutdownNow());
    }

    private boolean reachable(NodeId from, NodeId to) {
        return nodes.containsKey(to) && !dead.contains(to) && !dead.contains(from) && !cutLinks.contains(Set.of(from, to));
    }

    private byte[] encode(RpcMessage message) {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(message, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private void deliver(NodeId from, Node to, byte[] frame) {
        if (dead.contains(to.id)) {
            return;
        }
        RpcMessage message;
        try {
            message = codec.decode(Unpooled.wrappedBuffer(frame), WireLimits.DEFAULT);
        } catch (MalformedFrameException e) {
            throw new AssertionError("a frame we encoded did not decode", e);
        }
        to.castsIn.addAndGet(message instanceof RpcMessage.CastBatch b ? b.casts().size() : 1);
        to.inbound.received(from, message);
    }

    /** One node's view of the fabric: its membership view and its messaging port. */
    final class Node implements MembershipView, Messaging {
        final NodeId id;
        final ExecutorService io;
        final List<MemberDownListener> listeners = new CopyOnWriteArrayList<>();
        // Messages received, a batch counted as the casts in it.
        final AtomicInteger castsIn = new AtomicInteger();
        volatile Inbound inbound;
        // What the node believes it is; the fabric keeps routing by id.
        private volatile NodeId self;

        Node(NodeId id) {
            this.id = id;
            this.self = id;
            this.io = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fabric-io-" + id.name());
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public NodeId self() {
            return self;
        }

        /**
         * The node rejoins in place as its next incarnation, as far as it knows itself: the
         * others and the fabric still use {@link #id}. Enough to test what a node does with
         * frames meant for the incarnation it was.
         */
        NodeId renewIncarnation() {
            self = new NodeId(id.name(), id.address(), self.incarnation() + 1);
            return self;
        }

        /** Hands this node {@code message} as if {@code from} had sent it (encoded and decoded, on its I/O thread). */
        void receive(NodeId from, RpcMessage message) {
            byte[] frame = encode(message);
            io.execute(() -> deliver(from, this, frame));
        }

        @Override
        public Set<NodeId> liveMembers() {
            return Set.copyOf(live);
        }

        @Override
        public void onMemberDown(MemberDownListener listener) {
            listeners.add(listener);
        }

        @Override
        public SendOutcome send(NodeId to, RpcMessage message) {
            if (!reachable(id, to)) {
                return SendOutcome.UNREACHABLE;
            }
            byte[] frame = encode(message);
            Node target = nodes.get(to);
            try {
                target.io.execute(() -> deliver(id, target, frame));
            } catch (RejectedExecutionException closing) {
                return SendOutcome.UNREACHABLE; // the fabric is shutting down after a test
            }
            return SendOutcome.ACCEPTED;
        }

        @Override
        public void broadcast(RpcMessage.Broadcast cast) {
            byte[] frame = encode(cast);
            for (NodeId member : live) {
                Node target = nodes.get(member);
                if (member.equals(id) || !reachable(id, member)) {
                    continue;
                }
                if (holdBroadcasts) {
                    heldBroadcasts.add(new HeldFrame(id, target, cast, frame));
                } else {
                    try {
                        target.io.execute(() -> deliver(id, target, frame));
                    } catch (RejectedExecutionException closing) {
                        // the fabric is shutting down after a test
                    }
                }
            }
        }

        @Override
        public void bind(Inbound inbound) {
            this.inbound = inbound;
        }
    }
}
