package io.hyphae.membership.directory;

import java.time.Duration;
import java.util.Objects;

/**
 * The member directory's parameters.
 *
 * @param suspicionTimeout how long a suspicion must stand unrefuted before the member is marked
 *     DOWN. Shorter reports crashes sooner; too short declares live members down when their
 *     refutation is slow to spread (a full broadcast round trip plus the transport's failure
 *     detection), and a member declared DOWN must restart as a new incarnation.
 * @param antiEntropyInterval how often a node syncs one slice of its directory with a random
 *     neighbour. Shorter lets a node that missed broadcasts (or just joined) catch up sooner, at
 *     the price of background traffic.
 * @param probeInterval how often a node syncs with a random live member that is not its
 *     neighbour, over a link opened for it and closed after the answer. Besides spreading
 *     entries, this finds members nobody holds a link to (a node whose neighbours all failed
 *     with it): if the link cannot be opened, the member is suspected. Shorter finds such
 *     members sooner, at the price of one short-lived connection per node per interval.
 * @param maxSyncEntries most entries in one Sync or SyncReply. Bounds message size; a larger
 *     directory is covered in slices over successive rounds (and a joining node needs about
 *     members / maxSyncEntries rounds to learn everyone it missed).
 * @param tombstoneRetention how long a DOWN or LEFT entry is kept before it is forgotten. It
 *     stops stale copies of the live entry from bringing the member back, so it must be far
 *     longer than it takes every node to hear of the departure (many anti-entropy rounds).
 */
public record DirectoryConfig(
        Duration suspicionTimeout,
        Duration antiEntropyInterval,
        Duration probeInterval,
        int maxSyncEntries,
        Duration tombstoneRetention) {

    public DirectoryConfig {
        requirePositive(suspicionTimeout, "suspicionTimeout");
        requirePositive(antiEntropyInterval, "antiEntropyInterval");
        requirePositive(probeInterval, "probeInterval");
        requirePositive(tombstoneRetention, "tombstoneRetention");
        if (maxSyncEntries < 1) {
            throw new IllegalArgumentException("maxSyncEntries must be >= 1, was " + maxSyncEntries);
        }
        if (tombstoneRetention.compareTo(antiEntropyInterval.multipliedBy(10)) < 0) {
            throw new IllegalArgumentException("tombstoneRetention must be at least 10 anti-entropy intervals, or a "
                    + "departed member could be brought back by a node that has not heard of its departure");
        }
    }

    /** Crashes reported within about 5 s; anti-entropy every 2 s, a probe every 10 s; tombstones kept an hour. */
    public static DirectoryConfig defaults() {
        return new DirectoryConfig(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10), 512,
                Duration.ofHours(1));
    }

    /** Crashes reported within about 1.5 s, for LANs where refutations spread in milliseconds. */
    public static DirectoryConfig fastDetection() {
        return new DirectoryConfig(Duration.ofMillis(1500), Duration.ofSeconds(1), Duration.ofSeconds(5), 512,
                Duration.ofMinutes(30));
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1ms, was " + d);
        }
    }
}
