package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import java.util.Arrays;
import java.util.Objects;

/** What Plumtree tells the layer above: a broadcast arrived. */
public sealed interface PlumtreeNotification extends Notification {

    /**
     * Hand a broadcast to the layer registered for {@code channel}. Emitted at most once per
     * message id on a node, the origin included. The payload array is shared with the message
     * cache: read it, never modify it.
     *
     * @param hops how many links the delivered copy crossed (0 on the origin)
     */
    record Deliver(MessageId id, int channel, byte[] payload, int hops) implements PlumtreeNotification {
        public Deliver {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
        }

        public NodeId origin() {
            return id.origin();
        }

        // Records compare arrays by reference; a delivery is data, so compare the bytes.
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
