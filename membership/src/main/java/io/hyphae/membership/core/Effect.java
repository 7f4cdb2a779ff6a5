package io.hyphae.membership.core;

import io.hyphae.membership.NodeId;
import java.time.Duration;
import java.util.Objects;

/**
 * What a protocol core asks its driver (the Netty shell or the simulator) to do. A core never
 * performs I/O itself: it returns effects from {@link ProtocolCore#handle}, and the driver
 * carries them out in order.
 *
 * <h2>Link semantics every driver provides</h2>
 * <ul>
 *   <li>There is at most one link per pair of nodes, usable in both directions; messages on it
 *       arrive in the order they were sent, each at most once.</li>
 *   <li>{@link Connect}: open the link to {@code peer} if there is none. Both ends then see
 *       {@link Event.LinkUp}; if it cannot be opened (peer crashed, unreachable, handshake
 *       refused) the initiator sees {@link Event.LinkDown} once the attempt gives up, or
 *       {@link Event.ConnectionRefused} when the peer's address answered that nothing listens
 *       there (the peer's process is gone; a driver that cannot tell says LinkDown).</li>
 *   <li>{@link Send}: send on the link to {@code to}, opening it first if needed (as
 *       {@link Connect}). If the message cannot be delivered because the link cannot be opened
 *       or breaks, the sender sees {@link Event.LinkDown}.</li>
 *   <li>{@link Disconnect}: this protocol is done with the link. The simulator closes it at once
 *       (the other end sees {@link Event.LinkDown}; messages the other end had in flight are
 *       lost). The Netty driver shares links with the layers above (RPC), so it keeps the link
 *       while they use it and closes it gracefully, losing nothing, once it is idle; a core must
 *       therefore not count on the link closing, nor on a {@link Event.LinkDown} following.</li>
 *   <li>A crash or a partition tears down every link of the nodes involved; the survivors on
 *       the other end see {@link Event.LinkDown} after the driver's failure-detection delay.</li>
 * </ul>
 *
 * @param <M> the protocol's message type
 */
public sealed interface Effect<M> {

    /** Send {@code message} to {@code to}. */
    record Send<M>(NodeId to, M message) implements Effect<M> {
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Open (and keep open) the link to {@code peer}; its failure will be reported as {@link Event.LinkDown}. */
    record Connect<M>(NodeId peer) implements Effect<M> {
        public Connect {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** This protocol no longer needs the link to {@code peer}; see the class comment for when it closes. */
    record Disconnect<M>(NodeId peer) implements Effect<M> {
        public Disconnect {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * Deliver {@link Event.TimerFired} with {@code timer} after {@code after}. Timers are
     * one-shot and cannot be cancelled: a core that no longer wants one ignores it when it
     * fires (for example by matching a generation number carried in the key).
     */
    record Schedule<M>(TimerKey timer, Duration after) implements Effect<M> {
        public Schedule {
            Objects.requireNonNull(timer, "timer");
            Objects.requireNonNull(after, "after");
            if (after.isNegative()) {
                throw new IllegalArgumentException("timer delay must not be negative: " + after);
            }
        }
    }

    /**
     * Tell the layer above (or the application) something happened, for example HyParView's
     * "active view gained X". The driver hands it on; it never goes on the wire.
     */
    record Notify<M>(Notification notification) implements Effect<M> {
        public Notify {
            Objects.requireNonNull(notification, "notification");
        }
    }
}
