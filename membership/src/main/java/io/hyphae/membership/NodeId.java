package io.hyphae.membership;

import java.util.Comparator;
import java.util.Objects;

/**
 * A node's identity: its name, the address peers dial, and the incarnation of this run.
 * The incarnation changes on every start (it is taken from the start time and made strictly
 * larger than any earlier one on the same machine), so a restarted node is a new identity and
 * stale messages or directory entries about the old one are recognised and dropped.
 */
public record NodeId(String name, HostAndPort address, long incarnation) implements Comparable<NodeId> {

    /** Longest node name accepted, in UTF-8 bytes; the wire codec enforces the same limit. */
    public static final int MAX_NAME_BYTES = 255;

    private static final Comparator<NodeId> ORDER = Comparator.comparing(NodeId::name)
            .thenComparing(n -> n.address().host())
            .thenComparingInt(n -> n.address().port())
            .thenComparingLong(NodeId::incarnation);

    public NodeId {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("node name must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes");
        }
    }

    /** True when both name the same node, whatever the incarnation. */
    public boolean sameNodeAs(NodeId other) {
        return name.equals(other.name) && address.equals(other.address);
    }

    /** A total order used for deterministic tie-breaks (for example, which of two simultaneous dials survives). */
    @Override
    public int compareTo(NodeId o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return name + "@" + address + "#" + incarnation;
    }
}
