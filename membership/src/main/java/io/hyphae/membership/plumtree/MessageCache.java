package io.hyphae.membership.plumtree;

import io.hyphae.membership.NodeId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The payloads kept to answer GRAFTs, bounded by count and by age. Entries are kept in arrival
 * order, and arrival times only grow, so the oldest entry is always first and both bounds are
 * enforced from the head.
 */
final class MessageCache {

    /**
     * A cached payload, with the round it arrived at and the link it came on (empty on its
     * origin), which the tree optimisation updates when it moves the message's parent link.
     */
    static final class Entry {
        final int channel;
        final byte[] payload;
        final long storedAtMillis;
        int round;
        Optional<NodeId> from;

        Entry(int channel, byte[] payload, long storedAtMillis, int round, Optional<NodeId> from) {
            this.channel = channel;
            this.payload = payload;
            this.storedAtMillis = storedAtMillis;
            this.round = round;
            this.from = from;
        }
    }

    private final int capacity;
    private final long ttlMillis;
    private final LinkedHashMap<MessageId, Entry> entries = new LinkedHashMap<>();

    MessageCache(int capacity, long ttlMillis) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
    }

    void put(MessageId id, int channel, byte[] payload, int round, Optional<NodeId> from, long nowMillis) {
        entries.put(id, new Entry(channel, payload, nowMillis, round, from));
        expire(nowMillis);
    }

    Optional<Entry> get(MessageId id, long nowMillis) {
        expire(nowMillis);
        return Optional.ofNullable(entries.get(id));
    }

    /** The entry for {@code id} without expiring anything (for a look that changes no state). */
    Optional<Entry> peek(MessageId id) {
        return Optional.ofNullable(entries.get(id));
    }

    void expire(long nowMillis) {
        long limit = nowMillis - ttlMillis;
        Iterator<Map.Entry<MessageId, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry oldest = it.next().getValue();
            if (entries.size() <= capacity && oldest.storedAtMillis > limit) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
