package io.hyphae.membership.overlay;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.TimerKey;

/** HyParView's timers. */
public sealed interface HyParViewTimer extends TimerKey {

    /** The periodic membership round: shuffle, and top up the active view (section 4.4). */
    record ShuffleTick() implements HyParViewTimer {
    }

    /** A NEIGHBOR request to {@code peer} got no answer; {@code attempt} tells a stale timer from a live one. */
    record NeighborTimeout(NodeId peer, long attempt) implements HyParViewTimer {
    }
}
