package io.hyphae.strategy.gossip;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides which rejections are worth a log line: the first of each reason from each source
 * address, then at most one per {@code quietPeriod}. Every rejection is counted in a meter
 * regardless, so a flood of bad packets costs a counter increment each, not a log line each.
 *
 * <p>Bounded: when {@code capacity} sources are tracked, entries past their quiet period are
 * forgotten; if none are, new sources go unlogged (still counted) until some are.
 *
 * <p>The caller hands in a monotonic time in nanoseconds. Not thread-safe.
 */
final class RejectionLog {

    private record Key(RejectReason reason, String source) {
    }

    private final int capacity;
    private final long quietNanos;
    private final Map<Key, Long> lastLogged = new HashMap<>();

    RejectionLog(int capacity, Duration quietPeriod) {
        this.capacity = capacity;
        this.quietNanos = quietPeriod.toNanos();
    }

    /** True when this rejection should be logged; records that it was. */
    boolean shouldLog(RejectReason reason, String source, long nowNanos) {
        Key key = new Key(reason, source);
        Long last = lastLogged.get(key);
        if (last != null && nowNanos - last < quietNanos) {
            return false;
        }
        if (last == null && lastLogged.size() >= capacity) {
            lastLogged.values().removeIf(t -> nowNanos - t >= quietNanos);
            if (lastLogged.size() >= capacity) {
                return false;
            }
        }
        lastLogged.put(key, nowNanos);
        return true;
    }
}
