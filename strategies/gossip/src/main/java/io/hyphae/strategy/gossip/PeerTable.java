package io.hyphae.strategy.gossip;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The peers heard from recently, keyed by the address they advertise (the seed). An entry not
 * refreshed within the expiry is dropped; a node that says goodbye is dropped at once. Older
 * incarnations of a restarted node never displace the newer one.
 *
 * <p>A goodbye leaves a tombstone for that incarnation, so a heartbeat it sent just before
 * (overtaken on the network, or sent by a timer racing the close) cannot bring it back. A
 * tombstone is kept for as long as such a heartbeat could still pass the timestamp check (twice
 * the allowed clock skew), and no longer.
 *
 * <p>Protocol core: the caller hands in a monotonic time in nanoseconds. Not thread-safe.
 */
final class PeerTable {

    /** What {@link #heard} did. */
    enum Outcome { ADDED, REFRESHED, IGNORED, FULL }

    private record Entry(NodeId node, long lastHeardNanos) {
    }

    private record Tombstone(long incarnation, long leftAtNanos) {
    }

    private final int capacity;
    private final long expiryNanos;
    private final long tombstoneNanos;
    private final Map<HostAndPort, Entry> byAddress = new HashMap<>();
    /** Departed incarnations by address, oldest goodbye first; at most {@code capacity}. */
    private final LinkedHashMap<HostAndPort, Tombstone> departed = new LinkedHashMap<>();

    PeerTable(int capacity, Duration expiry, Duration tombstoneLifetime) {
        this.capacity = capacity;
        this.expiryNanos = expiry.toNanos();
        this.tombstoneNanos = tombstoneLifetime.toNanos();
    }

    Outcome heard(NodeId sender, long nowNanos) {
        forgetTombstones(nowNanos);
        Tombstone gone = departed.get(sender.address());
        if (gone != null && sender.incarnation() <= gone.incarnation()) {
            return Outcome.IGNORED; // sent before its own goodbye, and arrived after it
        }
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
    boolean left(NodeId sender, long nowNanos) {
        forgetTombstones(nowNanos);
        Tombstone previous = departed.remove(sender.address());
        if (departed.size() >= capacity) {
            Iterator<HostAndPort> eldest = departed.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        long incarnation = previous == null ? sender.incarnation() : Math.max(previous.incarnation(), sender.incarnation());
        departed.put(sender.address(), new Tombstone(incarnation, nowNanos));
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

    private void forgetTombstones(long nowNanos) {
        Iterator<Tombstone> it = departed.values().iterator();
        while (it.hasNext() && nowNanos - it.next().leftAtNanos() > tombstoneNanos) {
            it.remove();
        }
    }

    Set<HostAndPort> seeds() {
        return Set.copyOf(byAddress.keySet());
    }
}
