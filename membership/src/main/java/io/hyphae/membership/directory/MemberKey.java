package io.hyphae.membership.directory;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.util.Objects;

/**
 * A member across its incarnations: its name and address. The directory holds one entry per
 * key, for the newest incarnation it has heard of, in this key order (DirectoryEntries), so
 * every node walks its directory in the same order.
 */
public record MemberKey(String name, HostAndPort address) implements Comparable<MemberKey> {

    public MemberKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }

    public static MemberKey of(NodeId id) {
        return new MemberKey(id.name(), id.address());
    }

    /** By name, host, then port. */
    @Override
    public int compareTo(MemberKey o) {
        return compare(name, address, o.name, o.address);
    }

    /**
     * The key order, on the parts of two keys: the directory compares on every lookup, without
     * making a key. Written out rather than a Comparator chain for the same reason.
     */
    static int compare(String name, HostAndPort address, String otherName, HostAndPort otherAddress) {
        int c = name.compareTo(otherName);
        if (c == 0) {
            c = address.host().compareTo(otherAddress.host());
        }
        return c != 0 ? c : Integer.compare(address.port(), otherAddress.port());
    }

    @Override
    public String toString() {
        return name + "@" + address;
    }
}
