package io.hyphae.rpc.internal;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;

/**
 * A node whatever its incarnation: its name and address. A node the cluster declared down by
 * mistake rejoins in place as its next incarnation; cast ordering keys one sender's lane by
 * this, so the casts of its old and new incarnations run one after the other, never side by side.
 */
record NodeKey(String name, HostAndPort address) {

    static NodeKey of(NodeId id) {
        return new NodeKey(id.name(), id.address());
    }
}
