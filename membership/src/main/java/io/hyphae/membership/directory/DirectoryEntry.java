package io.hyphae.membership.directory;

/**
 * One member's entry in a directory, plus what this node already reported or raised about it.
 * Kept small, since every node holds one per member (24 bytes here, beside the {@link Member}):
 * the key is the member's id less its incarnation, and the state of a suspicion lives in a
 * {@link Doubt} that exists only while there is one.
 */
final class DirectoryEntry {

    /** Set only through {@code MemberDirectory.setMember}, which keeps the digest in step. */
    Member member;
    boolean upReported;
    boolean downReported;
    /** Present while the member is SUSPECT here, or after this node redialled it (until refuted or replaced). */
    Doubt doubt;

    /** This entry's doubt, created if it has none. */
    Doubt doubt() {
        if (doubt == null) {
            doubt = new Doubt();
        }
        return doubt;
    }

    /** What this node holds about a suspicion of the member, or a redial of it. */
    static final class Doubt {
        /** The SUSPECT entry this node raised itself, if the current one is it; else null. */
        Member raised;
        /**
         * This SUSPECT entry was held when this node rejoined after a false DOWN: the node was
         * cut off or starved then, so its timer does not turn it DOWN here; the other nodes'
         * verdict (a refutation, or their DOWN) decides. Cleared when the entry changes.
         */
        boolean deferred;
        /** When {@code linkBroken} last dialled this member again. */
        long redialedAtMillis = Long.MIN_VALUE;
        /** When the suspicion timer of the current SUSPECT entry is due. */
        long suspicionDueMillis;
        /** Since when the current suspicion has stood, as far as this node's verdict goes. */
        long suspicionSinceMillis;
    }
}
