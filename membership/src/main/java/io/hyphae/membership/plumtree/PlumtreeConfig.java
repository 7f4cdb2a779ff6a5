package io.hyphae.membership.plumtree;

import java.time.Duration;
import java.util.Objects;

/**
 * Plumtree's parameters. Every field trades something; the presets pick a side.
 *
 * @param graftTimeout how long a node waits, after the first IHAVE for a message it lacks, for
 *     the message to arrive on a tree link before it sends GRAFT (the paper's timeout1). Shorter
 *     repairs a broken tree faster; too short grafts links that were merely slow, which adds
 *     duplicates until PRUNE trims them again. Should exceed a few link round trips.
 * @param graftRetryTimeout how long to wait for the answer to a GRAFT before grafting the next
 *     announcer (timeout2); usually shorter than {@code graftTimeout}.
 * @param ihaveInterval IHAVE announcements to a lazy peer are batched and sent at most this often.
 *     Longer sends fewer, larger IHAVEs; it also delays tree repair by up to this much. Zero sends
 *     each announcement at once.
 * @param cacheSize most payloads kept to answer GRAFTs; older ones are dropped first. Bounds memory.
 * @param cacheTtl a payload is kept at most this long after it arrived. A GRAFT for an older
 *     message cannot be answered, so this must exceed {@code ihaveInterval + graftTimeout} plus
 *     a few retries, or repair cannot work.
 * @param maxLazyQueue most announcements queued for one lazy peer between two flushes; beyond it
 *     the oldest are dropped (counted), which only costs repair opportunities, never correctness.
 * @param maxAnnouncementsPerIHave most ids in one IHAVE message; a longer queue is split.
 * @param maxMissing most messages this node waits for at once (announced but not received); an
 *     announcement beyond it is ignored. Bounds memory against a flood of announcements.
 * @param optimizationThreshold the tree optimisation of section 3.8: when an IHAVE announces a
 *     message this node already received, with a round at least this much smaller than the
 *     round it arrived at, the announcer's link replaces the one the message came on (GRAFT
 *     without a message, PRUNE). Smaller gives shallower trees, so a lower last delivery hop;
 *     too small makes the tree flap between the shapes that suit different origins. 0 turns it off.
 * @param seenRetention how long the ids delivered from one origin are remembered after the last
 *     message from it. A copy of a message arriving later than that would be delivered again, so
 *     it must be far longer than any message's time in flight (and than {@code cacheTtl}).
 */
public record PlumtreeConfig(
        Duration graftTimeout,
        Duration graftRetryTimeout,
        Duration ihaveInterval,
        int cacheSize,
        Duration cacheTtl,
        int maxLazyQueue,
        int maxAnnouncementsPerIHave,
        int maxMissing,
        int optimizationThreshold,
        Duration seenRetention) {

    public PlumtreeConfig {
        requirePositive(graftTimeout, "graftTimeout");
        requirePositive(graftRetryTimeout, "graftRetryTimeout");
        Objects.requireNonNull(ihaveInterval, "ihaveInterval");
        if (ihaveInterval.isNegative()) {
            throw new IllegalArgumentException("ihaveInterval must not be negative");
        }
        requirePositive(cacheTtl, "cacheTtl");
        requirePositive(seenRetention, "seenRetention");
        if (optimizationThreshold < 0) {
            throw new IllegalArgumentException("optimizationThreshold must be >= 0 (0 turns it off), was " + optimizationThreshold);
        }
        if (cacheSize < 1 || maxLazyQueue < 1 || maxAnnouncementsPerIHave < 1 || maxMissing < 1) {
            throw new IllegalArgumentException("cacheSize, maxLazyQueue, maxAnnouncementsPerIHave and maxMissing must be >= 1");
        }
        if (cacheTtl.compareTo(ihaveInterval.plus(graftTimeout)) <= 0) {
            throw new IllegalArgumentException("cacheTtl (" + cacheTtl + ") must exceed ihaveInterval + graftTimeout ("
                    + ihaveInterval.plus(graftTimeout) + "), or no GRAFT could ever be answered");
        }
        if (seenRetention.compareTo(cacheTtl) < 0) {
            throw new IllegalArgumentException("seenRetention must be at least cacheTtl, or a grafted copy could be delivered twice");
        }
    }

    /** A data-centre LAN: sub-millisecond links, repair within about half a second. */
    public static PlumtreeConfig lan() {
        return new PlumtreeConfig(Duration.ofMillis(250), Duration.ofMillis(100), Duration.ofMillis(50),
                4096, Duration.ofSeconds(30), 4096, 512, 4096, 3, Duration.ofMinutes(10));
    }

    /** Links across regions: tens to hundreds of milliseconds, so wait longer before grafting. */
    public static PlumtreeConfig wan() {
        return new PlumtreeConfig(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(200),
                4096, Duration.ofSeconds(60), 4096, 512, 4096, 3, Duration.ofMinutes(15));
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
