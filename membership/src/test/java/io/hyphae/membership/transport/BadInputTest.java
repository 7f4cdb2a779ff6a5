package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.transport.internal.ControlMessage;
import io.hyphae.membership.transport.internal.RawPeer;
import io.hyphae.membership.wire.WireLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input over real sockets. Each test checks three things: the bad connection
 * is closed, the node still serves its healthy link to {@code friend}, and a meter shows it.
 */
class BadInputTest extends TransportTestBase {

    static final int MAX_FRAME = 64 * 1024;

    final List<AutoCloseable> open = new ArrayList<>();
    Node server;
    Node friend;

    static TransportConfig config() {
        return TransportConfig.local("test", SECRET).toBuilder()
                .wireLimits(new WireLimits(MAX_FRAME, 1024, 1024))
                .handshakeTimeout(Duration.ofSeconds(2))
                .heartbeatInterval(Duration.ofMillis(100))
                .heartbeatTimeout(Duration.ofMillis(600))
                .outboundQueueBytes(4 * MAX_FRAME)
                .reconnectWindow(Duration.ZERO)
                .build();
    }

    @BeforeEach
    void healthyLink() throws Exception {
        server = node("server", config());
        friend = node("friend", config());
        friend.transport.connect(server.id().address()).get(5, TimeUnit.SECONDS);
        await().until(() -> server.transport.links().contains(friend.id()));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    RawPeer raw() throws Exception {
        RawPeer p = new RawPeer(server.id().address(), "raw");
        open.add(p);
        return p;
    }

    /** The healthy link still carries messages both ways. */
    void assertStillServesFriend() {
        String marker = "still-alive-" + System.nanoTime();
        assertThat(server.transport.send(friend.id(), new Chat.Text(marker))).isEqualTo(SendResult.QUEUED);
        assertThat(friend.transport.send(server.id(), new Chat.Text(marker))).isEqualTo(SendResult.QUEUED);
        await().atMost(Duration.ofSeconds(5)).until(() -> friend.texts().contains(marker) && server.texts().contains(marker));
    }

    @Test
    void closesAConnectionThatSendsGarbageInsteadOfAHandshake() throws Exception {
        // Given a raw connection
        RawPeer raw = raw();

        // When it sends a well-framed control message of a type that does not exist
        raw.writeFrame((byte) 0, new byte[] {0x7f, 1, 2, 3});

        // Then it is closed and counted, and the friend is still served
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.MALFORMED) == 1);
        assertStillServesFriend();
    }

    @Test
    void closesAConnectionThatSpeaksAnotherProtocolEntirely() throws Exception {
        // Given a raw connection that talks HTTP: its first four bytes read as a huge length
        RawPeer raw = raw();

        raw.writeRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.FRAME_TOO_LARGE) == 1);
        assertStillServesFriend();
    }

    @Test
    void closesALinkWhosePeerSendsAFrameOverTheLimit() throws Exception {
        // Given a raw peer with a finished handshake
        RawPeer raw = raw();
        raw.handshake("test", Optional.of(SECRET));
        await().until(() -> server.transport.links().contains(raw.id));

        // When it announces a frame one byte over the limit (and never sends it)
        raw.writeRaw(new byte[] {0, 1, 0, 1});

        // Then the link closes at once, before anything was buffered, and it is counted
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.count("hyphae.transport.frames.rejected", "reason", "too_large") == 1);
        assertThat(server.events("down")).extracting(Node.Event::reason).containsExactly(LinkDownReason.MALFORMED_INPUT);
        assertStillServesFriend();
    }

    @Test
    void closesALinkWhoseLengthPrefixIsShorterThanItsMessage() throws Exception {
        // Given a raw peer with a finished handshake
        RawPeer raw = raw();
        raw.handshake("test", Optional.of(SECRET));
        await().until(() -> server.transport.links().contains(raw.id));

        // When it sends a chat text whose length prefix cuts it short (and the rest reads as the next frame)
        raw.writeRaw(new byte[] {0, 0, 0, 4, Chat.PROTOCOL_ID, 1, 0, 5, 'h', 'e', 'l', 'l', 'o'});

        // Then the truncated message is rejected as malformed and the link closed
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.count("hyphae.transport.frames.rejected", "reason", "malformed") == 1);
        assertThat(server.received).noneMatch(r -> r.from().equals(raw.id));
        assertStillServesFriend();
    }

    @Test
    void dropsAFrameOfAnUnregisteredProtocolButKeepsTheLink() throws Exception {
        // Given a raw peer with a finished handshake
        RawPeer raw = raw();
        raw.handshake("test", Optional.of(SECRET));
        await().until(() -> server.transport.links().contains(raw.id));

        // When it sends a frame of a protocol the server never registered, then a chat message
        raw.writeFrame((byte) 99, new byte[] {1, 2, 3});
        raw.writeFrame(Chat.PROTOCOL_ID, new byte[] {1, 0, 2, 'o', 'k'});

        // Then the unknown frame is counted and skipped, and the link still delivers
        await().atMost(Duration.ofSeconds(5)).until(() -> server.texts().contains("ok"));
        assertThat(server.count("hyphae.transport.frames.rejected", "reason", "unknown_protocol")).isEqualTo(1);
        assertThat(server.transport.links()).contains(raw.id);
    }

    @Test
    void closesAConnectionWhoseLengthPrefixPromisesBytesThatNeverCome() throws Exception {
        // Given a raw connection that announces 1000 bytes and sends ten
        RawPeer raw = raw();
        raw.writeRaw(new byte[] {0, 0, 3, (byte) 0xe8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9});

        // Then the handshake times out
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.TIMEOUT) == 1);
        assertStillServesFriend();
    }

    @Test
    void closesAConnectionThatSendsAnEmptyFrame() throws Exception {
        RawPeer raw = raw();
        raw.writeRaw(new byte[] {0, 0, 0, 0});

        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.MALFORMED) == 1);
        assertStillServesFriend();
    }

    @Test
    void closesAHandshakeThatStalls() throws Exception {
        // Given a raw connection that connects and says nothing
        RawPeer raw = raw();

        // Then the server closes it after the handshake timeout
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.TIMEOUT) == 1);
        assertStillServesFriend();
    }

    @Test
    void refusesPeerWithWrongSecret() throws Exception {
        // Given a node that holds another secret
        Node intruder = node("intruder", config().toBuilder().secret(Optional.of(ClusterSecret.of("not the cluster secret!!"))).build());

        // When it dials the server
        var dial = intruder.transport.connect(server.id().address());

        // Then both refuse each other, each counts it, and the friend is still served
        assertThatThrownBy(() -> dial.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(HandshakeException.class)
                .extracting(e -> ((HandshakeException) e).reason()).isEqualTo(HandshakeFailure.BAD_PROOF);
        await().until(() -> server.handshakesFailed(HandshakeFailure.BAD_PROOF) == 1);
        assertThat(server.transport.links()).containsExactly(friend.id());
        assertStillServesFriend();
    }

    @Test
    void refusesADiallerThatCannotProveTheSecret() throws Exception {
        // Given a raw peer that does the handshake without the secret (an empty proof)
        RawPeer raw = raw();

        // Then the server rejects its proof
        assertThatThrownBy(() -> raw.handshake("test", Optional.empty())).hasMessageContaining("BAD_PROOF");
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.BAD_PROOF) == 1);
        assertStillServesFriend();
    }

    @Test
    void refusesPeerOfAnotherCluster() throws Exception {
        Node stranger = node("stranger", config().toBuilder().clusterName("other").build());

        var dial = stranger.transport.connect(server.id().address());

        assertThatThrownBy(() -> dial.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(HandshakeException.class)
                .extracting(e -> ((HandshakeException) e).reason()).isEqualTo(HandshakeFailure.WRONG_CLUSTER);
        await().until(() -> server.handshakesFailed(HandshakeFailure.WRONG_CLUSTER) == 1);
        assertStillServesFriend();
    }

    @Test
    void refusesPeerWithIncompatibleVersion() throws Exception {
        // Given a raw peer that says hello in transport version 2
        RawPeer raw = raw();
        raw.writeControl(new ControlMessage.Hello(2, "test", raw.id, new byte[ControlMessage.NONCE_BYTES]));

        // Then the server tells it why and closes
        assertThat(raw.readControl()).isEqualTo(new ControlMessage.Reject(ControlMessage.Reason.INCOMPATIBLE_VERSION));
        assertThat(raw.closedByPeer(Duration.ofSeconds(5))).isTrue();
        await().until(() -> server.handshakesFailed(HandshakeFailure.INCOMPATIBLE_VERSION) == 1);
        assertStillServesFriend();
    }

    @Test
    void detectsASilentPeerByHeartbeatTimeout() throws Exception {
        // Given a raw peer that finishes the handshake, then goes quiet (as a SIGSTOPped process would)
        RawPeer raw = raw();
        raw.handshake("test", Optional.of(SECRET));
        await().until(() -> server.transport.links().contains(raw.id));

        // Then the server declares it dead within the heartbeat timeout, though the socket is open
        await().atMost(Duration.ofSeconds(3)).until(() -> !server.transport.links().contains(raw.id));
        assertThat(server.events("down")).extracting(Node.Event::peer, Node.Event::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(raw.id, LinkDownReason.HEARTBEAT_TIMEOUT));
        assertThat(server.count("hyphae.transport.links.down", "reason", "heartbeat_timeout")).isEqualTo(1);
        // ... while the friend, which sends heartbeats of its own, stays linked through several timeouts
        assertThat(server.transport.links()).contains(friend.id());
        assertStillServesFriend();
    }

    /** The raw peer sends no heartbeats; these nodes wait long enough for the queue to fill first. */
    TransportConfig patient() {
        return config().toBuilder().heartbeatTimeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void dropsSendsToAPeerThatNeverReadsOnceItsQueueIsFull() throws Exception {
        // Given a raw peer that finishes the handshake and then never reads
        server.close();
        server = node("server", patient());
        friend.transport.connect(server.id().address()).get(5, TimeUnit.SECONDS);
        RawPeer raw = RawPeer.withSmallReceiveBuffer(server.id().address(), "raw");
        open.add(raw);
        raw.handshake("test", Optional.of(SECRET));
        await().until(() -> server.transport.links().contains(raw.id));

        // When the server keeps sending it large messages
        byte[] chunk = new byte[MAX_FRAME / 2];

        // Then sends are dropped (once the kernel buffers and then the bounded queue are full), counted, the link stays
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> server.transport.send(raw.id, new Chat.Blob(chunk)) == SendResult.DROPPED_BACKPRESSURE);
        assertThat(server.count("hyphae.transport.sends.dropped", "reason", "backpressure")).isGreaterThanOrEqualTo(1);
        assertThat(server.transport.links()).contains(raw.id);
        assertStillServesFriend();
    }

    @Test
    void closesTheLinkToAPeerThatNeverReadsWhenThePolicySaysSo() throws Exception {
        Node strict = node("strict", patient().toBuilder().backpressurePolicy(BackpressurePolicy.CLOSE_LINK).build());
        friend.transport.connect(strict.id().address()).get(5, TimeUnit.SECONDS);
        RawPeer raw = RawPeer.withSmallReceiveBuffer(strict.id().address(), "raw");
        open.add(raw);
        raw.handshake("test", Optional.of(SECRET));
        await().until(() -> strict.transport.links().contains(raw.id));

        byte[] chunk = new byte[MAX_FRAME / 2];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> strict.transport.send(raw.id, new Chat.Blob(chunk)) == SendResult.DROPPED_BACKPRESSURE);

        await().until(() -> strict.events("down").stream().anyMatch(e -> e.peer().equals(raw.id)));
        assertThat(strict.events("down")).extracting(Node.Event::reason).containsExactly(LinkDownReason.BACKPRESSURE);
        assertThat(strict.transport.links()).containsExactly(friend.id());
        assertThat(strict.transport.send(friend.id(), new Chat.Text("ok"))).isEqualTo(SendResult.QUEUED);
        await().until(() -> friend.texts().contains("ok"));
    }

    @Test
    void refusesToStartWithoutASecretUnlessInsecureModeIsSet() throws Exception {
        TransportConfig noSecret = config().toBuilder().secret(Optional.empty()).build();

        assertThatThrownBy(() -> Transport.start(noSecret, "x", new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), resources))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no cluster secret");

        // ... while two nodes in insecure development mode link up
        TransportConfig insecure = noSecret.toBuilder().insecureDevelopmentMode(true).build();
        Node a = node("insecure-a", insecure);
        Node b = node("insecure-b", insecure);
        assertThat(a.transport.connect(b.id().address()).get(5, TimeUnit.SECONDS)).isEqualTo(b.id());
    }

    @Test
    void refusesAnInsecureNodeIntoASecuredCluster() throws Exception {
        Node insecure = node("insecure", config().toBuilder().secret(Optional.empty()).insecureDevelopmentMode(true).build());

        var dial = insecure.transport.connect(server.id().address());

        assertThatThrownBy(() -> dial.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(HandshakeException.class);
        await().until(() -> server.handshakesFailed(HandshakeFailure.BAD_PROOF) == 1);
        assertStillServesFriend();
    }
}
