package io.hyphae.membership.directory;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.util.Comparator;
import java.util.Objects;

/**
 * A member across its incarnations: its name and address. The directory holds one entry per
 * key, for the newest incarnation it has heard of. Ordered, so anti-entropy can walk the
 * directory in slices of key ranges that mean the same on every node.
 */
public record MemberKey(String name, HostAndPort address) implements Comparable<MemberKey> {

    private static final Comparator<MemberKey> ORDER = Comparator.comparing(MemberKey::name)
            .thenComparing(k -> k.address().host())
            .thenComparingInt(k -> k.address().port());

    public MemberKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }

    public static MemberKey of(NodeId id) {
        return new MemberKey(id.name(), id.address());
    }

    @Override
    public int compareTo(MemberKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return name + "@" + address;
    }
}
