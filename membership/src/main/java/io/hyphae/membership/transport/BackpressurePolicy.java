package io.hyphae.membership.transport;

/**
 * What a link does when a send would take its outbound queue past
 * {@link TransportConfig#outboundQueueBytes()}. Either way memory stays bounded; they differ in
 * what the protocol above sees.
 */
public enum BackpressurePolicy {
    /**
     * Drop the message, count it ({@code hyphae.transport.sends.dropped}) and keep the link.
     * Right for protocols that tolerate loss (gossip, heartbeats): a briefly slow peer costs a
     * few messages, not its link.
     */
    DROP,
    /**
     * Drop the message and close the link ({@link LinkDownReason#BACKPRESSURE}). Right when a
     * gap in the stream would be worse than a reconnect: the protocol above sees a link down and
     * knows every later message starts afresh.
     */
    CLOSE_LINK
}
