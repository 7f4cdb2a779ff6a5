package io.hyphae.strategy.gossip;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The peers heard from recently, keyed by the address they advertise (the seed). An entry not
 * refreshed within the expiry is dropped; a node that says goodbye is dropped at once. Older
 * incarnations of a restarted node never displace the newer one.
 *
 * <p>Protocol core: the caller hands in a monotonic time in nanoseconds. Not thread-safe.
 */
final class PeerTable {

    /** What {@link #heard} did. */
    enum Outcome { ADDED, REFRESHED, IGNORED, FULL }

    private record Entry(NodeId node, long lastHeardNanos) {
    }

    private final int capacity;
    private final long expiryNanos;
    private final Map<HostAndPort, Entry> byAddress = new HashMap<>();

    PeerTable(int capacity, Duration expiry) {
        this.capacity = capacity;
        this.expiryNanos = expiry.toNanos();
    }

    Outcome heard(NodeId sender, long nowNanos) {
        Entry known = byAddress.get(sender.address());
        if (known == null && byAddress.size() >= capacity) {
            return Outcome.FULL;
        }
        if (known != null && known.node().incarnation() > sender.incarnation()) {
            return Outcome.IGNORED; // a late packet from before that node restarted
        }
        byAddress.put(sender.address(), new Entry(sender, nowNanos));
        return known == null ? Outcome.ADDED : Outcome.REFRESHED;
    }

    /** Drops {@code sender} unless a newer incarnation already took its address; true when dropped. */
    boolean left(NodeId sender) {
        Entry known = byAddress.get(sender.address());
        if (known == null || known.node().incarnation() > sender.incarnation()) {
            return false;
        }
        byAddress.remove(sender.address());
        return true;
    }

    /** Drops every peer not heard within the expiry; true when any was dropped. */
    boolean expire(long nowNanos) {
        return byAddress.values().removeIf(e -> nowNanos - e.lastHeardNanos() > expiryNanos);
    }

    Set<HostAndPort> seeds() {
        return Set.copyOf(byAddress.keySet());
    }
}
