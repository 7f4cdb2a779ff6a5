package io.hyphae.rpc.internal;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.RpcConfig;
import io.hyphae.rpc.spi.MembershipView;
import io.hyphae.rpc.spi.Messaging;
import io.hyphae.rpc.wire.RpcMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the RPC layer's failure paths once per JVM, when its first node starts, on a scratch
 * {@link RpcNode} over in-memory ports: a call whose target's link is lost, one whose target the
 * directory reports down, one the port refuses, one that times out and one to a non-member.
 *
 * <p>Why: a JVM runs a code path slowly the first time (its classes load, its lambdas and string
 * concatenations are linked), and a node's failure paths first run at the worst moment, when a
 * peer has just died and every node's event loop is busy with it. W4 (docs/performance.md) saw
 * the first multicall after a kill wait on exactly that. Running them here moves that cost to
 * start, off the event loop and once (0.1 s in a cold JVM, most of it loading classes the node
 * loads anyway; a few milliseconds warm); later nodes in the same JVM share the linked code. The scratch node touches nothing of the real one: its own ports, meters and loop thread,
 * all gone when this returns.
 */
public final class FailurePathWarmUp {

    private static final Logger log = LoggerFactory.getLogger(FailurePathWarmUp.class);
    private static final AtomicBoolean RAN = new AtomicBoolean();
    private static final Endpoint<byte[], byte[]> ENDPOINT = Endpoint.of("hyphae.warm-up", RpcCodec.bytes());
    private static final Duration LONG = Duration.ofDays(1);
    // Far above what the rehearsal takes (a few ms); only a stalled loop gets here.
    private static final long WAIT_MS = 10_000;

    private FailurePathWarmUp() {
    }

    /** Rehearses once per JVM; a failure of the rehearsal is logged and never stops the node. */
    public static void onceForThisJvm() {
        if (!RAN.compareAndSet(false, true)) {
            return;
        }
        try {
            long start = System.nanoTime();
            rehearse();
            log.debug("RPC failure paths rehearsed in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            log.debug("RPC failure-path warm-up did not complete; the first real failure pays the cold path", e);
        }
    }

    /**
     * Runs the scripted failures on a fresh scratch node and returns the bad node each call
     * reported, in script order.
     */
    static List<BadNode> rehearse() {
        ScratchPorts ports = new ScratchPorts();
        RpcNode scratch = new RpcNode(ports, ports, RpcConfig.defaults().withHandlerExecutor(Runnable::run), new SimpleMeterRegistry());
        List<BadNode> seen = new ArrayList<>();
        try {
            // The link to a member is lost while a call waits on it (a reset, kill -9).
            CompletableFuture<MulticallResult<byte[]>> call = scratch.multicallAsync(List.of(ports.peer), ENDPOINT, new byte[1], LONG);
            ports.awaitSentTo(ports.peer);
            ports.inbound.linkLost(ports.peer);
            seen.add(onlyBadNode(call));
            // The directory reports a member down while a call waits on it.
            call = scratch.multicallAsync(List.of(ports.peer), ENDPOINT, new byte[1], LONG);
            ports.awaitSentTo(ports.peer);
            ports.departures.memberDown(ports.peer, MembershipView.Departure.FAILED);
            seen.add(onlyBadNode(call));
            // The port refuses the frame (a refused dial moments ago).
            seen.add(onlyBadNode(scratch.multicallAsync(List.of(ports.refusing), ENDPOINT, new byte[1], LONG)));
            // A target stays silent until the timeout.
            call = scratch.multicallAsync(List.of(ports.peer), ENDPOINT, new byte[1], Duration.ZERO);
            ports.awaitSentTo(ports.peer);
            seen.add(onlyBadNode(call));
            // The target is no member (any more).
            ports.live = Set.of(ports.self, ports.refusing);
            seen.add(onlyBadNode(scratch.multicallAsync(List.of(ports.peer), ENDPOINT, new byte[1], LONG)));
            return seen;
        } finally {
            scratch.close();
        }
    }

    private static BadNode onlyBadNode(CompletableFuture<MulticallResult<byte[]>> call) {
        try {
            List<BadNode> bad = call.get(WAIT_MS, TimeUnit.MILLISECONDS).badNodes();
            if (bad.size() != 1) {
                throw new IllegalStateException("warm-up call ended with " + bad);
            }
            return bad.get(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("warm-up call did not complete", e);
        }
    }

    /**
     * A member view and a message port for the scratch node alone: {@code peer} takes frames,
     * {@code refusing} refuses them; nothing goes anywhere.
     */
    private static final class ScratchPorts implements MembershipView, Messaging {
        final NodeId self = scratchNode("warm-up-self");
        final NodeId peer = scratchNode("warm-up-peer");
        final NodeId refusing = scratchNode("warm-up-refusing");
        volatile Set<NodeId> live = Set.of(self, peer, refusing);
        volatile Messaging.Inbound inbound;
        volatile MemberDownListener departures;
        private final BlockingQueue<NodeId> sent = new LinkedBlockingQueue<>();

        private static NodeId scratchNode(String name) {
            return new NodeId(name, new HostAndPort("127.0.0.1", 1), 1);
        }

        /** Waits until the scratch node's loop has sent its request to {@code to}, so the call is open. */
        void awaitSentTo(NodeId to) {
            try {
                NodeId got = sent.poll(WAIT_MS, TimeUnit.MILLISECONDS);
                if (!to.equals(got)) {
                    throw new IllegalStateException("warm-up expected a request to " + to + ", saw " + got);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public NodeId self() {
            return self;
        }

        @Override
        public Set<NodeId> liveMembers() {
            return live;
        }

        @Override
        public void onMemberDown(MemberDownListener listener) {
            departures = listener;
        }

        @Override
        public SendOutcome send(NodeId to, RpcMessage message) {
            if (to.equals(refusing)) {
                return SendOutcome.UNREACHABLE;
            }
            sent.add(to);
            return SendOutcome.ACCEPTED;
        }

        @Override
        public void broadcast(RpcMessage.Broadcast broadcast) {
        }

        @Override
        public void bind(Inbound in) {
            inbound = in;
        }
    }
}
