package io.hyphae.membership.directory;

/**
 * What the directory believes about one incarnation of a member. ALIVE and SUSPECT count as
 * live; DOWN and LEFT are final for that incarnation (a node that comes back is a new incarnation).
 */
public enum MemberStatus {
    /** Running, as far as anyone knows. */
    ALIVE((byte) 1),
    /** A neighbour lost its link to it; it is DOWN unless it refutes within the suspicion timeout. */
    SUSPECT((byte) 2),
    /** Suspected and never refuted: crashed or unreachable. */
    DOWN((byte) 3),
    /** Left gracefully. */
    LEFT((byte) 4);

    private final byte wire;

    MemberStatus(byte wire) {
        this.wire = wire;
    }

    public byte wire() {
        return wire;
    }

    public boolean isLive() {
        return this == ALIVE || this == SUSPECT;
    }

    /** The status with this wire code, if any. */
    public static java.util.Optional<MemberStatus> fromWire(byte code) {
        for (MemberStatus s : values()) {
            if (s.wire == code) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }
}
