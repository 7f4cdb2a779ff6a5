package io.hyphae.membership.overlay;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import java.util.Objects;

/**
 * What HyParView tells the layer above (Plumtree, the directory): its active view gained or
 * lost a neighbour, as the NeighborUp / NeighborDown of the Plumtree paper (SRDS 2007, section
 * 3.3), and that it has nobody left to talk to.
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
     * Both views are empty or every passive node failed: the node can only get back into the
     * overlay through a contact. HyParView retries its known contacts on every shuffle tick;
     * the shell should also ask discovery for fresh seeds and call {@link HyParView#join}.
     */
    record Isolated() implements OverlayNotification {
    }
}
