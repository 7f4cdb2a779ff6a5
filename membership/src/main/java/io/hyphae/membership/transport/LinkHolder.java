package io.hyphae.membership.transport;

import io.hyphae.membership.NodeId;

/**
 * An owner of links that wants some of them open whether or not they carry traffic (the overlay
 * holds its active view's links: it needs to hear at once when one breaks). A link no holder
 * holds is still kept while frames cross it, and closed gracefully once it was idle for
 * {@link TransportConfig#linkIdleTimeout()}: that is how links dialled on demand (RPC, probes)
 * are pooled and released. Asked on {@link Transport#executor()}.
 */
@FunctionalInterface
public interface LinkHolder {

    /** Whether this owner wants the link to {@code peer} kept open. */
    boolean holds(NodeId peer);
}
