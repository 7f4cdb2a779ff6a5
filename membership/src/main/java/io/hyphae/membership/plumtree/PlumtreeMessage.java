package io.hyphae.membership.plumtree;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Plumtree wire messages, named as in the paper (Leitão, Pereira, Rodrigues, "Epidemic
 * Broadcast Trees", SRDS 2007, section 3): GOSSIP carries a payload down the eager (tree) links,
 * IHAVE announces ids on the lazy links, GRAFT asks for a missing message and turns a lazy link
 * into a tree link, PRUNE turns a tree link lazy after a duplicate.
 */
public sealed interface PlumtreeMessage {

    /** Longest channel number; two bytes on the wire. */
    int MAX_CHANNEL = 0xFFFF;

    /**
     * GOSSIP(m, mID, round): one broadcast payload.
     *
     * @param id the broadcast's cluster-wide id
     * @param round hops this copy has travelled when it arrives: 1 at the origin's neighbours
     * @param channel which upper layer the payload is for (see {@link Plumtree#broadcast})
     * @param payload opaque bytes, never interpreted by Plumtree
     */
    record Gossip(MessageId id, int round, int channel, byte[] payload) implements PlumtreeMessage {
        public Gossip {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
            requireRound(round);
            if (channel < 0 || channel > MAX_CHANNEL) {
                throw new IllegalArgumentException("channel must be within 0.." + MAX_CHANNEL + ", was " + channel);
            }
        }

        // Records compare arrays by reference; a message is data, so compare the bytes.
        @Override
        public boolean equals(Object o) {
            return o instanceof Gossip g && g.id.equals(id) && g.round == round && g.channel == channel
                    && Arrays.equals(g.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, round, channel, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "GOSSIP[" + id + " round=" + round + " channel=" + channel + " bytes=" + payload.length + "]";
        }
    }

    /**
     * IHAVE: the ids this node received since its last IHAVE to the same peer (the paper sends one
     * IHAVE per message; batching them per interval is the paper's suggested optimisation).
     */
    record IHave(List<Announcement> announcements) implements PlumtreeMessage {
        public IHave {
            announcements = List.copyOf(announcements);
            if (announcements.isEmpty()) {
                throw new IllegalArgumentException("IHAVE announces at least one id");
            }
        }
    }

    /**
     * One id in an IHAVE.
     *
     * @param round the round the receiver would see if it grafted the message from the sender
     */
    record Announcement(MessageId id, int round) {
        public Announcement {
            Objects.requireNonNull(id, "id");
            requireRound(round);
        }
    }

    /**
     * GRAFT(mID, round): make our link a tree link, and send me message {@code id} if present.
     * Without an id it only re-shapes the tree (the optimisation of section 3.8).
     */
    record Graft(Optional<MessageId> id, int round) implements PlumtreeMessage {
        public Graft {
            Objects.requireNonNull(id, "id");
            requireRound(round);
        }
    }

    /** PRUNE: I received a duplicate from you; from now on only announce to me. */
    record Prune() implements PlumtreeMessage {
    }

    private static void requireRound(int round) {
        if (round < 1) {
            throw new IllegalArgumentException("round must be >= 1, was " + round);
        }
    }
}
