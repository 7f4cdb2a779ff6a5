package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import java.util.Objects;

/**
 * Identifies one broadcast cluster-wide: the node that broadcast it and that node's sequence
 * number. The origin's incarnation is part of {@link NodeId}, so a restarted node starts a fresh
 * sequence without colliding with the ids of its previous run.
 *
 * @param origin the node that called broadcast
 * @param sequence 1 for the origin's first broadcast of this incarnation, then 2, 3, ...
 */
public record MessageId(NodeId origin, long sequence) {

    public MessageId {
        Objects.requireNonNull(origin, "origin");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1, was " + sequence);
        }
    }

    @Override
    public String toString() {
        return origin + "/" + sequence;
    }
}
