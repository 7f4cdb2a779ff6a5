package io.hyphae.membership.overlay;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import java.util.Objects;

/**
 * What HyParView tells the layer above (Plumtree, the directory): its active view gained or
 * lost a neighbour, as the NeighborUp / NeighborDown of the Plumtree paper (SRDS 2007, section
 * 3.3), and that it cannot fill its active view from what it knows.
 */
public sealed interface OverlayNotification extends Notification {

    /** {@code peer} entered the active view. */
    record NeighbourUp(NodeId peer) implements OverlayNotification {
        public NeighbourUp {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** {@code peer} left the active view (failed, disconnected, or dropped to make room). */
    record NeighbourDown(NodeId peer) implements OverlayNotification {
        public NeighbourDown {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * The active view is not full and the passive view holds nobody left to ask: the node has
     * no neighbour at all, or sits in a small island of survivors after a mass failure. It can
     * only get (back) into the overlay through a contact, so the shell should ask discovery for
     * fresh seeds and call {@link HyParView#join}, which sends JOIN to one that is not already
     * a neighbour. Reported at once when the last neighbour is lost, else at most once a round.
     */
    record NeedsContacts() implements OverlayNotification {
    }
}
