package io.hyphae.membership.node;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import java.util.Objects;

/**
 * The cluster declared this running node's incarnation {@code self} DOWN (it was cut off, frozen
 * or starved past the suspicion timeout). DOWN is final for an incarnation, so the driver takes
 * the next incarnation of the node (a new transport identity) and calls {@link NodeCore#rejoin}:
 * a false DOWN heals without a restart.
 */
public record DeclaredDown(NodeId self) implements Notification {
    public DeclaredDown {
        Objects.requireNonNull(self, "self");
    }
}
