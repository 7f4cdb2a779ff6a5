package io.hyphae.membership.plumtree;

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

    record Entry(int channel, byte[] payload, long storedAtMillis) {
    }

    private final int capacity;
    private final long ttlMillis;
    private final LinkedHashMap<MessageId, Entry> entries = new LinkedHashMap<>();

    MessageCache(int capacity, long ttlMillis) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
    }

    void put(MessageId id, int channel, byte[] payload, long nowMillis) {
        entries.put(id, new Entry(channel, payload, nowMillis));
        expire(nowMillis);
    }

    Optional<Entry> get(MessageId id, long nowMillis) {
        expire(nowMillis);
        return Optional.ofNullable(entries.get(id));
    }

    void expire(long nowMillis) {
        long limit = nowMillis - ttlMillis;
        Iterator<Map.Entry<MessageId, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry oldest = it.next().getValue();
            if (entries.size() <= capacity && oldest.storedAtMillis() > limit) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
