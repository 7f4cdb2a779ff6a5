package io.hyphae.benchmarks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A W3 receiver's count, hyphae's node and the peers' alike: the casts received since the last
 * {@link #await}, and those that came after a higher sequence number from the same sender.
 */
public final class CastCounter {

    /** How long a round waits without a cast before it reports what it has. */
    private static final long IDLE_MS = 20_000;

    /** One round's count, as the node prints it to the driver. */
    public record Round(long received, long lost, long reordered) {
        public String line() {
            return "DONE received=" + received + " lost=" + lost + " reordered=" + reordered;
        }
    }

    private final Map<Object, long[]> lastSeq = new ConcurrentHashMap<>();
    private long received;
    private long reordered;
    private long lastArrivalMs;
    private long expected;

    /** One cast from {@code sender} with sequence number {@code seq}. */
    public synchronized void count(Object sender, long seq) {
        long[] last = lastSeq.computeIfAbsent(sender, s -> new long[] {-1});
        received++;
        if (seq <= last[0]) {
            reordered++;
        }
        last[0] = Math.max(last[0], seq);
        lastArrivalMs = System.currentTimeMillis();
        if (received == expected) {
            // Only the last one: a wake-up of the waiting thread per cast would be counted as
            // the receiver's CPU per cast (W3's receiver_cpu_us_per_msg).
            notifyAll();
        }
    }

    /** Waits until {@code n} casts arrived, or none did for {@code IDLE_MS}; returns the round and starts the next. */
    public synchronized Round await(long n) throws InterruptedException {
        lastArrivalMs = System.currentTimeMillis();
        expected = n;
        while (received < n && System.currentTimeMillis() - lastArrivalMs < IDLE_MS) {
            wait(1_000);
        }
        Round round = new Round(received, Math.max(0, n - received), reordered);
        received = 0;
        reordered = 0;
        return round;
    }
}
