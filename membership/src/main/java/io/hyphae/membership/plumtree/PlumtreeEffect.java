package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import java.util.Arrays;
import java.util.Objects;

/** What {@link Plumtree} asks its driver to do: send a message to a neighbour, or hand a broadcast up. */
public sealed interface PlumtreeEffect {

    /** Send {@code message} to {@code to}, which is in the active view. */
    record Send(NodeId to, PlumtreeMessage message) implements PlumtreeEffect {
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Deliver a broadcast to the layer registered for {@code channel}. Emitted at most once per
     * message id on a node, including on the origin itself.
     *
     * @param hops how many links the delivered copy crossed (0 on the origin)
     */
    record Deliver(MessageId id, int channel, byte[] payload, int hops) implements PlumtreeEffect {
        public Deliver {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
        }

        public NodeId origin() {
            return id.origin();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Deliver d && d.id.equals(id) && d.channel == channel && d.hops == hops
                    && Arrays.equals(d.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, channel, hops, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Deliver[" + id + " channel=" + channel + " hops=" + hops + " bytes=" + payload.length + "]";
        }
    }
}
