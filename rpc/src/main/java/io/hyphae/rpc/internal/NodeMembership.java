package io.hyphae.rpc.internal;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.rpc.spi.MembershipView;
import java.util.Set;

/**
 * {@link MembershipView} over a running {@link HyphaeNode}: its live-member snapshot and its
 * down events, LEFT kept as {@link Departure#LEFT} and every other reason (UNREACHABLE, REPLACED)
 * reported as {@link Departure#FAILED}.
 */
public final class NodeMembership implements MembershipView {

    private final HyphaeNode node;

    public NodeMembership(HyphaeNode node) {
        this.node = node;
    }

    @Override
    public NodeId self() {
        return node.self();
    }

    @Override
    public Set<NodeId> liveMembers() {
        return node.liveMembers();
    }

    @Override
    public void onMemberDown(MemberDownListener listener) {
        node.addListener(new MembershipListener() {
            @Override
            public void memberDown(NodeId member, DownReason reason) {
                listener.memberDown(member, reason == DownReason.LEFT ? Departure.LEFT : Departure.FAILED);
            }
        });
    }
}
