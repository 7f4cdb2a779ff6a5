package io.hyphae.membership.directory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The member directory's messages. {@link Update} travels as a Plumtree broadcast (channel
 * {@link io.hyphae.membership.plumtree.Channels#DIRECTORY}); {@link Sync} and {@link SyncReply}
 * are the point-to-point anti-entropy exchange with one neighbour.
 */
public sealed interface DirectoryMessage {

    /** Entries that changed at their source: a start, a refutation, a suspicion, a DOWN, a leave. */
    record Update(List<Member> members) implements DirectoryMessage {
        public Update {
            members = List.copyOf(members);
            if (members.isEmpty()) {
                throw new IllegalArgumentException("an update carries at least one member");
            }
        }
    }

    /**
     * Anti-entropy, first half: the sender's entries for the keys in {@code [from, to)} (an
     * absent bound is open). The receiver merges them and answers with its own entries in the
     * same range that the sender lacks or holds in an older state.
     *
     * <p>A separate digest step is not worth it here: an entry is its identity plus nine bytes,
     * so a digest of it would be almost as large as the entry.
     */
    record Sync(Optional<MemberKey> from, Optional<MemberKey> to, List<Member> members) implements DirectoryMessage {
        public Sync {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            members = List.copyOf(members);
        }

        public boolean covers(MemberKey key) {
            return from.map(f -> key.compareTo(f) >= 0).orElse(true) && to.map(t -> key.compareTo(t) < 0).orElse(true);
        }
    }

    /** Anti-entropy, second half: entries the {@link Sync} sender lacked or held in an older state. */
    record SyncReply(List<Member> members) implements DirectoryMessage {
        public SyncReply {
            members = List.copyOf(members);
        }
    }
}
