package io.hyphae.membership.transport;

import io.hyphae.membership.NodeId;
import java.util.Set;

/**
 * An owner of links that wants some of them open whether or not they carry traffic (the overlay
 * holds its active view's links: it needs to hear at once when one breaks). A link no holder
 * holds is still kept while frames of other protocols cross it (RPC's, on links it dials on
 * demand), and closed gracefully once it was idle for {@link TransportConfig#linkIdleTimeout()}:
 * that is how such links are pooled and released. Asked on {@link Transport#executor()}.
 */
public interface LinkHolder {

    /** Whether this owner wants the link to {@code peer} kept open. */
    boolean holds(NodeId peer);

    /**
     * The protocol ids whose frames this owner accounts for through {@link #holds}: they never
     * count as use of a link, so the last messages on a link it let go of (a goodbye of its
     * own protocol, a probe's answer) do not keep that link open for another idle period.
     */
    Set<Byte> protocols();
}
