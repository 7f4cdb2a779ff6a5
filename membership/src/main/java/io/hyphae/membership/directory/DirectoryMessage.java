package io.hyphae.membership.directory;

import java.util.Arrays;
import java.util.List;

/**
 * The member directory's messages. {@link Update} travels as a Plumtree broadcast (channel
 * {@link io.hyphae.membership.plumtree.Channels#DIRECTORY}); {@link Sync}, {@link SyncReply} and
 * a closing {@link Update} sent point to point are the anti-entropy exchange with one peer.
 */
public sealed interface DirectoryMessage {

    /**
     * Entries that changed at their source (a start, a refutation, a suspicion, a DOWN, a leave),
     * broadcast; or, sent point to point, the entries a {@link SyncReply} showed its sender lacked.
     */
    record Update(List<Member> members) implements DirectoryMessage {
        public Update {
            members = List.copyOf(members);
            if (members.isEmpty()) {
                throw new IllegalArgumentException("an update carries at least one member");
            }
        }
    }

    /**
     * Anti-entropy, first half: the sender's {@link DirectoryDigest} of its live entries, folded
     * to a power-of-two number of buckets. The receiver answers with its own entries in the
     * buckets whose hashes differ from its own.
     *
     * <p>A digest and not the entries themselves: once directories agree, which is most of the
     * time, a sync costs 8 bytes per bucket (a few entries each) instead of the whole directory.
     */
    record Sync(long[] digest) implements DirectoryMessage {
        public Sync {
            if (!DirectoryDigest.validBucketCount(digest.length)) {
                throw new IllegalArgumentException("a digest has a power-of-two number of buckets up to "
                        + DirectoryDigest.FINE_BUCKETS + ", not " + digest.length);
            }
            digest = digest.clone();
        }

        @Override
        public long[] digest() {
            return digest.clone();
        }

        int buckets() {
            return digest.length;
        }

        long bucketHash(int bucket) {
            return digest[bucket];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sync s && Arrays.equals(digest, s.digest);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(digest);
        }

        @Override
        public String toString() {
            return "Sync[buckets=" + digest.length + "]";
        }
    }

    /**
     * Anti-entropy, second half: the answerer's entries (live and tombstones) in the buckets that
     * differ, at most {@link DirectoryConfig#maxSyncEntries()} of them. {@code covered} lists the
     * buckets (of {@code buckets}) whose entries are all here: for those the {@link Sync} sender
     * sends back, as an {@link Update}, the entries this answer lacks or holds in an older state.
     */
    record SyncReply(int buckets, List<Integer> covered, List<Member> members) implements DirectoryMessage {
        public SyncReply {
            if (!DirectoryDigest.validBucketCount(buckets)) {
                throw new IllegalArgumentException("invalid bucket count " + buckets);
            }
            covered = List.copyOf(covered);
            for (int b : covered) {
                if (b < 0 || b >= buckets) {
                    throw new IllegalArgumentException("bucket " + b + " out of range 0.." + (buckets - 1));
                }
            }
            members = List.copyOf(members);
        }
    }
}
