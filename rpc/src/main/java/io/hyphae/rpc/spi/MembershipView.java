package io.hyphae.rpc.spi;

import io.hyphae.membership.NodeId;
import java.util.Set;

/**
 * What the RPC layer needs to know about the cluster: who is live now, who this node is, and
 * when a member goes away. The member directory implements it; tests use an in-memory one.
 *
 * <p>Every method may be called from any thread and must not block.
 */
public interface MembershipView {

    /**
     * This node's identity now. It changes, to the next incarnation of the same name and
     * address, when the node rejoins in place after the cluster declared it down by mistake; the
     * RPC layer reads it before each turn of its loop and follows it.
     */
    NodeId self();

    /**
     * The members the directory holds as live at this instant, this node included. A snapshot
     * the caller may keep; it is read once per multicall, so it should be cheap (an immutable
     * set swapped on change, not a copy built per call).
     */
    Set<NodeId> liveMembers();

    /**
     * Registers the one listener for departures. The view calls it once per departure of a
     * member incarnation, as soon as the directory learns of it: {@link Departure#LEFT} for a
     * graceful leave, {@link Departure#FAILED} for a crash or a member that stayed unreachable
     * past the directory's limit. A member that restarts departs as its old incarnation. The
     * listener is called on the view's own thread and returns quickly; it never throws.
     */
    void onMemberDown(MemberDownListener listener);

    /** How a member left. */
    enum Departure {
        /** It announced its leave. */
        LEFT,
        /** It crashed, or stayed unreachable past the configured limit. */
        FAILED
    }

    /** Told of each departure; see {@link MembershipView#onMemberDown}. */
    @FunctionalInterface
    interface MemberDownListener {
        void memberDown(NodeId member, Departure how);
    }
}
