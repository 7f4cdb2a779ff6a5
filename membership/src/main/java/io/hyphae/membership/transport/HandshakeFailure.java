package io.hyphae.membership.transport;

import java.util.Locale;

/**
 * Why a connection was closed before its handshake finished. The lower-case name is the
 * {@code reason} tag of {@code hyphae.transport.handshakes{result=failed}}.
 */
public enum HandshakeFailure {
    /** The peer speaks a transport protocol version this node cannot talk to. */
    INCOMPATIBLE_VERSION,
    /** The peer belongs to another cluster (a different cluster name). */
    WRONG_CLUSTER,
    /** The peer could not prove it holds the cluster secret (or we could not, in its eyes). */
    BAD_PROOF,
    /** The handshake (TLS included) did not finish within {@link TransportConfig#handshakeTimeout()}. */
    TIMEOUT,
    /** Bytes that are not a well-formed handshake message, or a message out of order. */
    MALFORMED,
    /** A length prefix over {@link io.hyphae.membership.wire.WireLimits#maxFrameBytes()}. */
    FRAME_TOO_LARGE,
    /** The TLS handshake failed, for example because the trust store rejected the peer's certificate. */
    TLS,
    /** The peer is an older incarnation of a node this transport already has a newer link to. */
    STALE_INCARNATION,
    /** The address dialled is this node itself. */
    SELF_CONNECTION,
    /** The connection closed before the handshake finished. */
    CLOSED;

    /** The meter tag value, for example {@code wrong_cluster}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
