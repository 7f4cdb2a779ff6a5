package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.transport.internal.RawPeer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS under the handshake, with certificates made here, at test time. */
class TlsTest extends TransportTestBase {

    static X509Bundle clusterCa;
    static X509Bundle strangerCa;

    @TempDir
    Path dir;
    @BeforeAll
    static void certificateAuthorities() throws Exception {
        clusterCa = ca("CN=hyphae test cluster CA");
        strangerCa = ca("CN=some other CA");
    }

    static X509Bundle ca(String subject) throws Exception {
        return new CertificateBuilder().subject(subject).setIsCertificateAuthority(true).ecp256()
                .notBefore(Instant.now().minusSeconds(60)).notAfter(Instant.now().plusSeconds(3600)).buildSelfSigned();
    }

    /** A node certificate issued by {@code issuer}, trusting {@code trusted}. */
    TlsConfig tls(String name, X509Bundle issuer, X509Bundle... trusted) throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=" + name).ecp256()
                .notBefore(Instant.now().minusSeconds(60)).notAfter(Instant.now().plusSeconds(3600))
                .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().addExtendedKeyUsageClientAuth()
                .buildIssuedBy(issuer);
        Path chain = Files.writeString(dir.resolve(name + "-chain.pem"), cert.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve(name + "-key.pem"), cert.getPrivateKeyPEM());
        StringBuilder trust = new StringBuilder();
        for (X509Bundle t : trusted) {
            trust.append(t.getCertificatePEM());
        }
        Path trustFile = Files.writeString(dir.resolve(name + "-trust.pem"), trust);
        return new TlsConfig(chain, key, trustFile);
    }

    Node node(String name, TlsConfig tls) {
        return node(name, TransportConfig.local("test", SECRET).toBuilder().tls(Optional.of(tls)).build());
    }

    @Test
    void linksNodesWhoseCertificatesTheClusterCaIssued() throws Exception {
        Node a = node("a", tls("a", clusterCa, clusterCa));
        Node b = node("b", tls("b", clusterCa, clusterCa));

        assertThat(a.transport.connect(b.id().address()).get(5, TimeUnit.SECONDS)).isEqualTo(b.id());

        a.transport.send(b.id(), new Chat.Text("over tls"));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.texts().contains("over tls"));
    }

    @Test
    void refusesAPeerWhoseCertificateTheTrustStoreRejectsBeforeTheHandshake() throws Exception {
        // Given a linked pair, and an intruder that knows the secret but whose certificate another CA issued
        Node server = node("server", tls("server", clusterCa, clusterCa));
        Node friend = node("friend", tls("friend", clusterCa, clusterCa));
        friend.transport.connect(server.id().address()).get(5, TimeUnit.SECONDS);
        Node intruder = node("intruder", tls("intruder", strangerCa, clusterCa, strangerCa));

        // When the intruder dials the server
        var dial = intruder.transport.connect(server.id().address());

        // Then TLS refuses it: the server counts a TLS failure and no handshake step ever ran
        assertThatThrownBy(() -> dial.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(HandshakeException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.handshakesFailed(HandshakeFailure.TLS) == 1);
        assertThat(server.count("hyphae.transport.frames.in", "protocol", "ControlMessage", "type", "HELLO")).isEqualTo(1);
        assertThat(server.transport.links()).containsExactly(friend.id());
        // ... and the friend is still served
        server.transport.send(friend.id(), new Chat.Text("still here"));
        await().atMost(Duration.ofSeconds(5)).until(() -> friend.texts().contains("still here"));
    }

    @Test
    void refusesAPlainTcpPeerOnATlsPort() throws Exception {
        Node server = node("server", tls("server", clusterCa, clusterCa));

        try (RawPeer raw = new RawPeer(server.id().address(), "plain")) {
            raw.writeRaw(new byte[] {0, 0, 0, 1, 0});
            assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.handshakesFailed(HandshakeFailure.TLS) == 1);
    }

    @Test
    void refusesToStartWithUnreadableTlsFiles() {
        TlsConfig missing = new TlsConfig(dir.resolve("none.pem"), dir.resolve("none-key.pem"), dir.resolve("none-ca.pem"));
        TransportConfig config = TransportConfig.local("test", SECRET).toBuilder().tls(Optional.of(missing)).build();

        assertThatThrownBy(() -> Transport.start(config, "x", new SimpleMeterRegistry(), resources))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("none.pem");
    }
}
