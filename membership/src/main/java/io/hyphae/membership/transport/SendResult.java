package io.hyphae.membership.transport;

/** What {@link Transport#send} did with a message. */
public enum SendResult {
    /** Queued on the link; it is written in order after every earlier message to that peer. */
    QUEUED,
    /**
     * No link to that node (or only to another incarnation of it, or one whose socket has just
     * closed and whose link-down is still to come); nothing was sent.
     */
    NO_LINK,
    /** The link's outbound queue is full ({@link TransportConfig#outboundQueueBytes()}); the message was dropped. */
    DROPPED_BACKPRESSURE,
    /** The encoded message is larger than the frame limit; it was not sent. */
    TOO_LARGE,
    /**
     * The link to that node is closing (either side said goodbye, or it lost the one-link-per-pair
     * tie-break): what was queued before is still delivered, but nothing new is taken. Send again
     * once a new link is up ({@link Transport#connect} dials one beside the closing link).
     */
    LINK_CLOSING
}
