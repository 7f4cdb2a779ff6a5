package io.hyphae.strategy.gossip;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the nonces of accepted packets for as long as their timestamps keep them inside
 * the freshness window, so an exact copy of a packet replayed inside the window is recognised.
 * Outside the window the timestamp check rejects it anyway, so nothing older is kept.
 *
 * <p>Bounded: at most {@code capacity} nonces. Only packets that passed the MAC check are
 * remembered, so only a holder of the secret can fill it; when full, the oldest nonce is
 * forgotten first (its packet is the closest to going stale anyway).
 *
 * <p>Protocol core: no clock of its own, no locks; the caller hands in the time.
 */
final class ReplayGuard {

    private final int capacity;
    private final long windowMillis;
    /** Nonce to the wall-clock millisecond after which its packet is stale; insertion order. */
    private final LinkedHashMap<Nonce, Long> seen = new LinkedHashMap<>();

    ReplayGuard(int capacity, Duration window) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay cache capacity must be at least 1");
        }
        this.capacity = capacity;
        this.windowMillis = window.toMillis();
    }

    /**
     * Records {@code nonce} and returns true the first time it is seen within the window;
     * returns false for a replay.
     */
    boolean firstSighting(Nonce nonce, long timestampMillis, long nowMillis) {
        forgetStale(nowMillis);
        if (seen.containsKey(nonce)) {
            return false;
        }
        if (seen.size() >= capacity) {
            Iterator<Nonce> eldest = seen.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        seen.put(nonce, timestampMillis + windowMillis);
        return true;
    }

    int size() {
        return seen.size();
    }

    private void forgetStale(long nowMillis) {
        // Packets arrive roughly in timestamp order, so stale nonces gather at the head; one that
        // is out of order waits behind a fresher one, which costs memory within the bound only.
        Iterator<Map.Entry<Nonce, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() >= nowMillis) {
                return;
            }
            it.remove();
        }
    }
}
