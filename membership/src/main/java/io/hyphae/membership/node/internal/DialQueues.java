package io.hyphae.membership.node.internal;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.HandshakeException;
import io.hyphae.membership.transport.SendResult;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages for peers whose link is being opened, in the order they were sent, for the node's
 * event loop (no locks: the loop is the only thread). A send to a peer without a link dials it
 * and queues the message; later sends queue behind it; once the peer answers, the queue is
 * written in order. Frames of the core (the protocols, which tolerate loss) and of the layers
 * above (RPC), told apart by whether someone waits for their fate, share one queue per peer.
 */
final class DialQueues {

    private static final Logger log = LoggerFactory.getLogger(DialQueues.class);

    /** What the queues need of the transport. */
    interface Wire {
        SendResult send(NodeId to, Object message);

        CompletableFuture<NodeId> connect(HostAndPort address);

        boolean linkedTo(NodeId peer);
    }

    /** A message waiting for its link, and who waits for its fate (null for the core's own). */
    private record Outgoing(Object message, CompletableFuture<Void> done) {
    }

    private final Wire wire;
    private final Executor loop;
    private final BiConsumer<NodeId, Boolean> dialFailed;
    private final Map<NodeId, ArrayDeque<Outgoing>> opening = new HashMap<>();

    /**
     * @param loop the event loop, where dial results are handled
     * @param dialFailed told of a dial that did not reach the peer asked for, and whether it was
     *     refused (nothing listens at the address: the process is gone)
     */
    DialQueues(Wire wire, Executor loop, BiConsumer<NodeId, Boolean> dialFailed) {
        this.wire = wire;
        this.loop = loop;
        this.dialFailed = dialFailed;
    }

    /** Sends {@code message}, dialling first if there is no link; {@code done} (may be null) learns its fate. */
    void send(NodeId to, Object message, CompletableFuture<Void> done) {
        ArrayDeque<Outgoing> waiting = opening.get(to);
        if (waiting != null) {
            waiting.add(new Outgoing(message, done)); // behind the earlier ones, to keep their order
            return;
        }
        SendResult r;
        try {
            r = wire.send(to, message);
        } catch (IllegalArgumentException e) {
            // No codec for it, or it cannot be encoded: a bug above, never a reason to stop the loop.
            log.warn("cannot send {} to {}: {}", message.getClass().getSimpleName(), to, e.getMessage());
            if (done != null) {
                done.completeExceptionally(e);
            }
            return;
        }
        if (r == SendResult.NO_LINK || r == SendResult.LINK_CLOSING) {
            // None up, or the one there is closing: dial (beside a closing link, the transport
            // opens its successor, which the peer reads only after the old one's last frame).
            ArrayDeque<Outgoing> q = new ArrayDeque<>();
            q.add(new Outgoing(message, done));
            open(to, q);
        } else {
            settle(to, r, done);
        }
    }

    /** Opens a link to {@code peer} unless one is up or on its way. */
    void connect(NodeId peer) {
        if (!opening.containsKey(peer) && !wire.linkedTo(peer)) {
            open(peer, new ArrayDeque<>());
        }
    }

    /**
     * The core no longer wants a link to {@code peer}: its own messages still waiting for one are
     * given up, as it decided. Messages of the layers above are not the core's to drop: they were
     * accepted for sending, so the dial goes on for them.
     */
    void disconnect(NodeId peer) {
        ArrayDeque<Outgoing> q = opening.get(peer);
        if (q != null) {
            q.removeIf(o -> o.done() == null);
            if (q.isEmpty()) {
                opening.remove(peer);
            }
        }
    }

    /** Gives up every queue, telling the waiting senders {@code why}: the node closes or rejoins. */
    void failAll(String why) {
        for (ArrayDeque<Outgoing> q : opening.values()) {
            fail(q, why);
        }
        opening.clear();
    }

    /** Dials {@code peer}'s address; {@code queue} (kept in {@link #opening}) is written once it answers as {@code peer}. */
    private void open(NodeId peer, ArrayDeque<Outgoing> queue) {
        opening.put(peer, queue);
        wire.connect(peer.address()).whenCompleteAsync((answered, error) -> {
            if (opening.get(peer) != queue) {
                return; // given up meanwhile (failAll, or a disconnect with nothing left to send)
            }
            opening.remove(peer);
            if (error == null && answered.equals(peer)) {
                flush(peer, queue);
                return;
            }
            if (error == null) {
                // Another node, or another incarnation (a restart), now owns that address: the
                // one asked for is gone. The link to the answering node stays; it is an ordinary
                // link the transport reported up, which that node may use to JOIN.
                log.debug("{} answered at {} instead of {}", answered, peer.address(), peer);
            } else {
                log.debug("cannot open a link to {}: {}", peer, error.toString());
            }
            fail(queue, error == null ? answered + " answered instead" : String.valueOf(error.getMessage()));
            dialFailed.accept(peer, error != null && refused(error));
        }, loop);
    }

    /**
     * True when the dial failed because the peer's host answered that nothing listens there (a
     * TCP reset to the SYN): the process is gone. A dial that times out (a frozen process still
     * listens, its kernel answers; a partition drops the SYN) or fails later, in the handshake,
     * says nothing of the kind.
     */
    static boolean refused(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectTimeoutException || t instanceof HandshakeException) {
                return false;
            }
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private void flush(NodeId peer, ArrayDeque<Outgoing> queue) {
        while (!queue.isEmpty()) {
            Outgoing o = queue.poll();
            SendResult r;
            try {
                r = wire.send(peer, o.message());
            } catch (IllegalArgumentException e) {
                log.warn("cannot send {} to {}: {}", o.message().getClass().getSimpleName(), peer, e.getMessage());
                if (o.done() != null) {
                    o.done().completeExceptionally(e);
                }
                continue;
            }
            if (r == SendResult.NO_LINK || r == SendResult.LINK_CLOSING) {
                // The link broke or began closing as soon as it came up (the transport reports a
                // break as link down); the frames behind it are given up, and their senders told.
                if (o.done() != null) {
                    o.done().completeExceptionally(new IllegalStateException("link to " + peer + " lost"));
                }
                fail(queue, "link to " + peer + " lost");
                return;
            }
            settle(peer, r, o.done());
        }
    }

    private static void settle(NodeId to, SendResult r, CompletableFuture<Void> done) {
        if (r == SendResult.QUEUED) {
            if (done != null) {
                done.complete(null);
            }
            return;
        }
        // Dropped by the transport, which counted it; the protocols above tolerate loss.
        log.debug("message to {} not sent: {}", to, r);
        if (done != null) {
            done.completeExceptionally(new IllegalStateException("not sent to " + to + ": " + r));
        }
    }

    private static void fail(ArrayDeque<Outgoing> queue, String why) {
        for (Outgoing o : queue) {
            if (o.done() != null) {
                o.done().completeExceptionally(new IllegalStateException(why));
            }
        }
        queue.clear();
    }
}
