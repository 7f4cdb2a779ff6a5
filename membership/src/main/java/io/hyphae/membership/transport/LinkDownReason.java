package io.hyphae.membership.transport;

import java.util.Locale;

/** Why a link went down. The lower-case name is the {@code reason} tag of {@code hyphae.transport.links.down}. */
public enum LinkDownReason {
    /** The peer closed the link gracefully (it called {@code disconnect} or {@code close}). */
    PEER_CLOSED,
    /** The connection broke (reset, refused, closed without a goodbye). */
    CONNECTION_LOST,
    /** Nothing arrived from the peer, not even a heartbeat, for {@link TransportConfig#heartbeatTimeout()}. */
    HEARTBEAT_TIMEOUT,
    /** The peer sent a frame that does not decode; the link was closed to protect this node. */
    MALFORMED_INPUT,
    /** The outbound queue reached its bound and the policy is {@link BackpressurePolicy#CLOSE_LINK}. */
    BACKPRESSURE,
    /** A newer incarnation of the same node connected; the old one is gone. */
    REPLACED,
    /** This node called {@link Transport#disconnect}. */
    DISCONNECTED,
    /** This node's transport is closing. */
    SHUTDOWN,
    /**
     * No {@link LinkHolder} held the link and no frame above the transport crossed it for
     * {@link TransportConfig#linkIdleTimeout()}; this node closed it gracefully.
     */
    IDLE;

    /**
     * A close with goodbyes both ways: every frame either side queued before it was delivered,
     * so only frames sent after it need a new link.
     */
    public boolean graceful() {
        return this == PEER_CLOSED || this == DISCONNECTED || this == SHUTDOWN || this == IDLE;
    }

    /** The meter tag value, for example {@code heartbeat_timeout}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
