package io.hyphae.membership.plumtree;

import java.time.Duration;
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

    record Entry(int channel, byte[] payload, Duration storedAt) {
    }

    private final int capacity;
    private final Duration ttl;
    private final LinkedHashMap<MessageId, Entry> entries = new LinkedHashMap<>();

    MessageCache(int capacity, Duration ttl) {
        this.capacity = capacity;
        this.ttl = ttl;
    }

    void put(MessageId id, int channel, byte[] payload, Duration now) {
        entries.put(id, new Entry(channel, payload, now));
        expire(now);
    }

    Optional<Entry> get(MessageId id, Duration now) {
        expire(now);
        return Optional.ofNullable(entries.get(id));
    }

    void expire(Duration now) {
        Duration limit = now.minus(ttl);
        Iterator<Map.Entry<MessageId, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry oldest = it.next().getValue();
            if (entries.size() <= capacity && oldest.storedAt().compareTo(limit) > 0) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
