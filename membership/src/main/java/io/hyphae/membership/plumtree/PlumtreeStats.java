package io.hyphae.membership.plumtree;

/**
 * Counters of one node's Plumtree since it started, for meters and benchmarks.
 *
 * @param delivered broadcasts delivered here (own ones included)
 * @param gossipsSent payload messages sent (eager pushes and GRAFT answers)
 * @param duplicatesReceived payload messages received for an id already delivered
 * @param graftsSent GRAFTs sent to repair the tree
 * @param prunesSent PRUNEs sent after a duplicate
 * @param ihavesSent IHAVE messages sent (each may carry many announcements)
 * @param announcementsDropped announcements lost to a full lazy queue or a full missing table
 * @param graftsUnanswered GRAFTs received for a message no longer cached
 */
public record PlumtreeStats(long delivered, long gossipsSent, long duplicatesReceived, long graftsSent,
                            long prunesSent, long ihavesSent, long announcementsDropped, long graftsUnanswered) {
}
