package io.hyphae.membership.directory;

import io.hyphae.membership.NodeId;
import java.util.Objects;

/**
 * One directory entry: a member's identity (with its incarnation), its status, and a version
 * that only the member itself raises (SWIM's incarnation number; NodeId's incarnation is already
 * taken by "which run of the process"), to refute a suspicion or announce that it leaves.
 *
 * @param id the member, incarnation included
 * @param status what is believed about it
 * @param version raised by the member to override suspicion about an earlier version; starts at 1
 */
public record Member(NodeId id, MemberStatus status, long version) {

    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
    }

    public MemberKey key() {
        return MemberKey.of(id);
    }

    /**
     * True when this entry replaces {@code other} (same key) in a directory. The rule is a total
     * order per key, so every node converges to the same entry whatever order updates arrive in:
     * a newer incarnation wins; within one incarnation DOWN and LEFT are final (LEFT above
     * DOWN, since the member said so itself); among live entries the higher version wins, and
     * at the same version SUSPECT beats ALIVE (the member refutes by raising its version).
     */
    public boolean supersedes(Member other) {
        if (id.incarnation() != other.id.incarnation()) {
            return id.incarnation() > other.id.incarnation();
        }
        int rank = Integer.compare(finality(status), finality(other.status));
        if (rank != 0) {
            return rank > 0;
        }
        if (version != other.version) {
            return version > other.version;
        }
        return status == MemberStatus.SUSPECT && other.status == MemberStatus.ALIVE;
    }

    private static int finality(MemberStatus s) {
        return switch (s) {
            case ALIVE, SUSPECT -> 0;
            case DOWN -> 1;
            case LEFT -> 2;
        };
    }
}
