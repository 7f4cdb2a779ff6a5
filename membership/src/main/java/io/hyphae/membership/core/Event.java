package io.hyphae.membership.core;

import io.hyphae.membership.NodeId;
import java.util.Objects;

/**
 * What a driver feeds a protocol core. Commands from the application or the layer above (join,
 * leave, broadcast) are methods of each core instead, because they differ per protocol.
 *
 * @param <M> the protocol's message type
 */
public sealed interface Event<M> {

    /** {@code message} arrived from {@code from} (authenticated by the transport). */
    record Received<M>(NodeId from, M message) implements Event<M> {
        public Received {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The link to {@code peer} is open (either end opened it). */
    record LinkUp<M>(NodeId peer) implements Event<M> {
        public LinkUp {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** The link to {@code peer} failed, could not be opened, or the peer closed it. */
    record LinkDown<M>(NodeId peer) implements Event<M> {
        public LinkDown {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * An attempt to open a link to {@code peer} was refused: nothing listens at its address (a
     * TCP reset, as opposed to a dial that times out). That incarnation of the peer is gone.
     * Implies {@link LinkDown}: a core that feeds on this event treats it as one too.
     */
    record ConnectionRefused<M>(NodeId peer) implements Event<M> {
        public ConnectionRefused {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** A timer the core scheduled with {@link Effect.Schedule} is due. */
    record TimerFired<M>(TimerKey timer) implements Event<M> {
        public TimerFired {
            Objects.requireNonNull(timer, "timer");
        }
    }
}
