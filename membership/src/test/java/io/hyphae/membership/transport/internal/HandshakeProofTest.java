package io.hyphae.membership.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.internal.HandshakeProof.Role;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HandshakeProofTest {

    final HandshakeProof proofs = new HandshakeProof(Optional.of(ClusterSecret.of("correct horse battery staple")));
    final NodeId dialler = new NodeId("a", new HostAndPort("127.0.0.1", 1), 1);
    final NodeId acceptor = new NodeId("b", new HostAndPort("127.0.0.1", 2), 1);
    final byte[] n1 = filled(1);
    final byte[] n2 = filled(2);

    @Test
    void acceptsTheProofOfASecretHolder() {
        byte[] proof = proofs.prove(Role.DIALLER, "c", dialler, acceptor, n1, n2);
        assertThat(proofs.verify(proof, Role.DIALLER, "c", dialler, acceptor, n1, n2)).isTrue();
    }

    @Test
    void refusesAnAcceptorsProofReflectedBackAsTheDiallers() {
        // An attacker without the secret dials, gets the acceptor's proof, and sends it back as its own
        byte[] acceptorProof = proofs.prove(Role.ACCEPTOR, "c", dialler, acceptor, n1, n2);
        assertThat(proofs.verify(acceptorProof, Role.DIALLER, "c", dialler, acceptor, n1, n2)).isFalse();
    }

    @Test
    void refusesAProofReplayedOnAConnectionWithOtherNonces() {
        byte[] recorded = proofs.prove(Role.DIALLER, "c", dialler, acceptor, n1, n2);
        assertThat(proofs.verify(recorded, Role.DIALLER, "c", dialler, acceptor, n1, filled(3))).isFalse();
    }

    @Test
    void refusesAProofForAnotherClusterOrIdentity() {
        byte[] proof = proofs.prove(Role.DIALLER, "c", dialler, acceptor, n1, n2);
        assertThat(proofs.verify(proof, Role.DIALLER, "d", dialler, acceptor, n1, n2)).isFalse();
        NodeId otherIncarnation = new NodeId("a", dialler.address(), 2);
        assertThat(proofs.verify(proof, Role.DIALLER, "c", otherIncarnation, acceptor, n1, n2)).isFalse();
    }

    @Test
    void refusesAProofMadeWithAnotherSecret() {
        HandshakeProof other = new HandshakeProof(Optional.of(ClusterSecret.of("some other secret value")));
        byte[] proof = other.prove(Role.DIALLER, "c", dialler, acceptor, n1, n2);
        assertThat(proofs.verify(proof, Role.DIALLER, "c", dialler, acceptor, n1, n2)).isFalse();
        assertThat(proofs.verify(new byte[0], Role.DIALLER, "c", dialler, acceptor, n1, n2)).isFalse();
    }

    private static byte[] filled(int b) {
        byte[] n = new byte[ControlMessage.NONCE_BYTES];
        java.util.Arrays.fill(n, (byte) b);
        return n;
    }
}
