package io.hyphae.membership.transport.internal;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Optional;

/**
 * The challenge-response of the handshake. Each side proves it holds the cluster secret with an
 * HMAC-SHA256 over everything that identifies this one exchange: a direction label, the cluster
 * name, both identities and both random nonces. The label keeps a proof made as acceptor from
 * being reflected back as a dialler's proof; the nonces keep a recorded proof from being
 * replayed on another connection. The secret itself never leaves the process.
 *
 * <p>Without a secret (insecure development mode) proofs are empty and every proof is accepted.
 */
public final class HandshakeProof {

    enum Role {
        DIALLER("hyphae-transport/1 dialler"),
        ACCEPTOR("hyphae-transport/1 acceptor");

        private final byte[] label;

        Role(String label) {
            this.label = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private final Optional<ClusterSecret> secret;

    public HandshakeProof(Optional<ClusterSecret> secret) {
        this.secret = secret;
    }

    /** The proof the side in {@code role} sends. */
    byte[] prove(Role role, String clusterName, NodeId dialler, NodeId acceptor, byte[] diallerNonce, byte[] acceptorNonce) {
        return secret.map(s -> s.mac(role.label, transcript(clusterName, dialler, acceptor, diallerNonce, acceptorNonce)))
                .orElse(new byte[0]);
    }

    /** True when {@code proof} is what a holder of the secret in {@code role} would send. */
    boolean verify(byte[] proof, Role role, String clusterName, NodeId dialler, NodeId acceptor,
                   byte[] diallerNonce, byte[] acceptorNonce) {
        return secret.map(s -> s.verify(proof, role.label, transcript(clusterName, dialler, acceptor, diallerNonce, acceptorNonce)))
                .orElse(true);
    }

    /** Length-prefixed fields, so no two different exchanges produce the same bytes. */
    private static byte[] transcript(String clusterName, NodeId dialler, NodeId acceptor, byte[] diallerNonce, byte[] acceptorNonce) {
        ByteBuf buf = Unpooled.buffer(256);
        try {
            WireWriter.writeString(buf, clusterName);
            WireWriter.writeNodeId(buf, dialler);
            WireWriter.writeNodeId(buf, acceptor);
            WireWriter.writeBytes(buf, diallerNonce);
            WireWriter.writeBytes(buf, acceptorNonce);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
