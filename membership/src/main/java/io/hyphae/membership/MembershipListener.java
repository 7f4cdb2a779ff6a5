package io.hyphae.membership;

import io.hyphae.membership.directory.DownReason;

/**
 * Hears members come and go, as this node's directory learns of it. Each member incarnation is
 * reported up at most once and down at most once, down only after up; a restarted member is a
 * new incarnation, so its old incarnation goes down ({@link DownReason#REPLACED} or
 * {@link DownReason#UNREACHABLE}) and the new one comes up.
 *
 * <p><b>Threading.</b> Called on the node's event loop, one event at a time, in the order the
 * directory decided them. Return quickly and never block: the node's protocols wait while a
 * listener runs. Hand slow work to an executor of your own.
 */
public interface MembershipListener {

    /** {@code member} is in the directory and live (this node itself included). */
    default void memberUp(NodeId member) {
    }

    /**
     * {@code member} is gone for good: it left ({@link DownReason#LEFT}), crashed or stayed
     * unreachable past the suspicion timeout ({@link DownReason#UNREACHABLE}), or restarted
     * ({@link DownReason#REPLACED}).
     */
    default void memberDown(NodeId member, DownReason reason) {
    }
}
