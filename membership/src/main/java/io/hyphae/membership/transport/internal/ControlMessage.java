package io.hyphae.membership.transport.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.HandshakeFailure;
import java.util.Objects;

/**
 * The transport's own protocol (id 0): the handshake, heartbeats and the goodbye. The handshake
 * runs dialler-first: {@link Hello} (dialler), {@link Challenge} (acceptor), {@link Proof}
 * (dialler), {@link Welcome} (acceptor); {@link Reject} ends it early with a reason.
 */
public sealed interface ControlMessage {

    /** Transport protocol version this build speaks; a peer with another one is refused. */
    int PROTOCOL_VERSION = 1;
    /** Bytes of each side's random challenge. */
    int NONCE_BYTES = 32;

    /** Dialler opens: who it is, which cluster, and its challenge to the acceptor. */
    record Hello(int version, String clusterName, NodeId sender, byte[] nonce) implements ControlMessage {
        public Hello {
            Objects.requireNonNull(clusterName, "clusterName");
            Objects.requireNonNull(sender, "sender");
            if (nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
            }
            nonce = nonce.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }
    }

    /** Acceptor answers: who it is, its own challenge, and its proof over both challenges. */
    record Challenge(int version, String clusterName, NodeId sender, byte[] nonce, byte[] proof) implements ControlMessage {
        public Challenge {
            Objects.requireNonNull(clusterName, "clusterName");
            Objects.requireNonNull(sender, "sender");
            if (nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
            }
            nonce = nonce.clone();
            proof = proof.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] proof() {
            return proof.clone();
        }
    }

    /** Dialler's proof over both challenges. */
    record Proof(byte[] proof) implements ControlMessage {
        public Proof {
            proof = proof.clone();
        }

        @Override
        public byte[] proof() {
            return proof.clone();
        }
    }

    /** Acceptor took the link; frames of every protocol may flow from now on. */
    record Welcome() implements ControlMessage {
    }

    /** Either side refuses the connection, saying why; the sender closes right after. */
    record Reject(Reason reason) implements ControlMessage {
        public Reject {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Sent on a link with nothing else to say, so the peer knows this node is alive. */
    record Heartbeat() implements ControlMessage {
    }

    /**
     * Graceful close: the sender queued this behind its last frame on the link and takes no new
     * ones; the receiver answers with its own goodbye once its queued frames are out, and each
     * side closes the socket holding both. Do not redial.
     */
    record Goodbye() implements ControlMessage {
    }

    /**
     * The sender would close this link: nothing above the transport crossed it for a while and
     * nothing on its side holds it. The receiver closes it (with goodbyes) if it finds the same,
     * and otherwise ignores it, so a link stays open while either end holds or uses it.
     */
    record IdleClose() implements ControlMessage {
    }

    /** Why a handshake was refused, as sent on the wire. */
    enum Reason {
        INCOMPATIBLE_VERSION(HandshakeFailure.INCOMPATIBLE_VERSION),
        WRONG_CLUSTER(HandshakeFailure.WRONG_CLUSTER),
        BAD_PROOF(HandshakeFailure.BAD_PROOF),
        STALE_INCARNATION(HandshakeFailure.STALE_INCARNATION),
        SELF_CONNECTION(HandshakeFailure.SELF_CONNECTION),
        /** Not a failure: a link between the two nodes exists, and it wins the tie-break. */
        DUPLICATE(null);

        private final HandshakeFailure failure;

        Reason(HandshakeFailure failure) {
            this.failure = failure;
        }

        /** The failure this reason means for the side that receives it; empty for {@link #DUPLICATE}. */
        java.util.Optional<HandshakeFailure> failure() {
            return java.util.Optional.ofNullable(failure);
        }
    }
}
