package io.hyphae.membership.directory;

import io.hyphae.membership.NodeId;

/**
 * A summary of a directory's live entries for anti-entropy: the entries are spread over
 * {@value #FINE_BUCKETS} buckets by a hash of their {@link MemberKey}, and each bucket holds the
 * XOR of its entries' state hashes (key, incarnation, status, version). Two nodes whose bucket
 * hashes match hold the same live entries in that bucket, so a sync sends only the entries of
 * the buckets that differ.
 *
 * <p>Kept up to date on every change in O(1) ({@link #toggle}); a {@link DirectoryMessage.Sync}
 * carries it folded to fewer buckets ({@link #fold}), sized to the directory so that a bucket
 * holds a few entries. Only live entries count: a tombstone one node has already forgotten and
 * another still keeps is no difference worth a message, while a live entry one side still holds
 * and the other knows is gone makes the bucket differ, and the tombstone travels with it.
 *
 * <p>The hashes use {@link String#hashCode}, which the Java language specifies, so every JVM
 * computes the same buckets.
 */
final class DirectoryDigest {

    /** log2 of the finest bucket count: 1,024 buckets, 8 KiB per node. */
    static final int FINE_BITS = 10;
    static final int FINE_BUCKETS = 1 << FINE_BITS;
    /** A digest sized for this many entries per bucket on average. */
    private static final int ENTRIES_PER_BUCKET = 4;

    private final long[] fine = new long[FINE_BUCKETS];

    /** Adds a live entry's state, or takes it out again (XOR is its own inverse). */
    void toggle(Member member) {
        long keyHash = keyHash(member.id());
        fine[fineBucket(keyHash)] ^= stateHash(keyHash, member);
    }

    /** The digest folded to {@code buckets} buckets (a power of two up to {@value #FINE_BUCKETS}). */
    long[] fold(int buckets) {
        long[] folded = new long[buckets];
        int shift = FINE_BITS - Integer.numberOfTrailingZeros(buckets);
        for (int i = 0; i < FINE_BUCKETS; i++) {
            folded[i >>> shift] ^= fine[i];
        }
        return folded;
    }

    /** How many buckets a digest of a directory with {@code liveEntries} entries has: a power of two. */
    static int bucketsFor(int liveEntries) {
        int wanted = Math.max(1, liveEntries / ENTRIES_PER_BUCKET);
        return Math.min(FINE_BUCKETS, Integer.highestOneBit(wanted));
    }

    /** True when {@code buckets} is a bucket count a digest may have. */
    static boolean validBucketCount(int buckets) {
        return buckets >= 1 && buckets <= FINE_BUCKETS && Integer.bitCount(buckets) == 1;
    }

    /** The bucket of {@code id}'s key in a digest of {@code buckets} buckets. */
    static int bucket(NodeId id, int buckets) {
        return fineBucket(keyHash(id)) >>> (FINE_BITS - Integer.numberOfTrailingZeros(buckets));
    }

    private static int fineBucket(long keyHash) {
        return (int) (keyHash >>> (64 - FINE_BITS));
    }

    /**
     * The hash of {@code id}'s key (name, host, port; not the incarnation). Computed when needed
     * rather than kept per entry: the strings cache their own hashes, so it is three mixes.
     */
    private static long keyHash(NodeId id) {
        long h = mix(id.name().hashCode());
        h = mix(h ^ id.address().host().hashCode());
        return mix(h ^ id.address().port());
    }

    private static long stateHash(long keyHash, Member m) {
        long h = mix(keyHash ^ m.id().incarnation());
        return mix(h ^ (m.version() << 3 | m.status().wire()));
    }

    /** SplitMix64's finaliser: every input bit changes about half the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
