package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.internal.ControlMessage;
import io.hyphae.membership.transport.internal.RawPeer;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest extends TransportTestBase {

    Node node(String name) {
        return node(name, TransportConfig.local("test", SECRET));
    }

    static NodeId connect(Node from, Node to) throws Exception {
        return from.transport.connect(to.id().address()).get(5, TimeUnit.SECONDS);
    }

    @Test
    void carriesMessagesBothWaysOverOneAuthenticatedLink() throws Exception {
        // Given two nodes of one cluster
        Node a = node("a");
        Node b = node("b");

        // When a dials b
        NodeId peer = connect(a, b);

        // Then both see the link, and messages flow both ways in order
        assertThat(peer).isEqualTo(b.id());
        await().atMost(Duration.ofSeconds(5)).until(() -> b.transport.links().contains(a.id()));
        for (int i = 0; i < 100; i++) {
            assertThat(a.transport.send(b.id(), new Chat.Text("a" + i))).isEqualTo(SendResult.QUEUED);
            assertThat(b.transport.send(a.id(), new Chat.Text("b" + i))).isEqualTo(SendResult.QUEUED);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> b.texts().size() == 100 && a.texts().size() == 100);
        assertThat(b.texts()).first().isEqualTo("a0");
        assertThat(b.texts()).last().isEqualTo("a99");
        assertThat(b.received).allSatisfy(r -> assertThat(r.from()).isEqualTo(a.id()));
        assertThat(a.count("hyphae.transport.handshakes", "result", "ok")).isEqualTo(1);
        assertThat(b.count("hyphae.transport.frames.in", "protocol", "Chat", "type", "TEXT")).isEqualTo(100);
        assertThat(a.openLinks()).isEqualTo(1);
    }

    @Test
    void runsEveryCallbackOnTheTransportsExecutor() throws Exception {
        // Given two linked nodes
        Node a = node("a");
        Node b = node("b");
        connect(a, b);
        await().until(() -> b.transport.links().contains(a.id()));

        // When a sends and then leaves
        a.transport.send(b.id(), new Chat.Text("hello"));
        await().until(() -> b.texts().contains("hello"));
        a.close();

        // Then b's handler and both of b's link events ran on b's executor thread
        await().until(() -> b.events("down").size() == 1);
        assertThat(b.received).allSatisfy(r -> assertThat(r.onExecutorThread()).isTrue());
        assertThat(b.events).hasSize(2).allSatisfy(e -> assertThat(e.onExecutorThread()).isTrue());
    }

    @Test
    void tellsLinkUpInTheOrderListenersWereAddedAndLinkDownInTheReverseOrder() throws Exception {
        // Given a node with two more listeners, added in this order (as the node, then RPC)
        Node a = node("a");
        Node b = node("b");
        List<String> heard = new CopyOnWriteArrayList<>();
        for (String name : List.of("lower", "upper")) {
            b.transport.addLinkListener(new LinkListener() {
                @Override
                public void linkUp(NodeId peer) {
                    heard.add(name + " up");
                }

                @Override
                public void linkDown(NodeId peer, LinkDownReason reason) {
                    heard.add(name + " down");
                }
            });
        }

        // When a link to it comes up and goes down
        connect(a, b);
        await().until(() -> heard.size() == 2);
        a.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 4);

        // Then the layer added last hears of the loss first: it answers its waiting callers
        // before the layer below repairs anything
        assertThat(heard).containsExactly("lower up", "upper up", "upper down", "lower down");
    }

    @Test
    void tellsThePeerWhenClosingSoItNeitherWaitsNorRedials() throws Exception {
        // Given two linked nodes
        Node a = node("a");
        Node b = node("b");
        connect(a, b);
        await().until(() -> b.transport.links().contains(a.id()));

        // When a closes
        a.close();

        // Then b hears a goodbye, not a broken connection
        await().atMost(Duration.ofSeconds(5)).until(() -> b.events("down").size() == 1);
        assertThat(b.events("down").get(0).reason()).isEqualTo(LinkDownReason.PEER_CLOSED);
        assertThat(a.events("down")).extracting(Node.Event::reason).containsExactly(LinkDownReason.SHUTDOWN);
        assertThat(b.transport.links()).isEmpty();
        assertThat(b.transport.send(a.id(), new Chat.Text("late"))).isEqualTo(SendResult.NO_LINK);
    }

    @Test
    void disconnectClosesTheLinkOnBothSides() throws Exception {
        Node a = node("a");
        Node b = node("b");
        connect(a, b);
        await().until(() -> b.transport.links().contains(a.id()));

        a.transport.disconnect(b.id());

        await().atMost(Duration.ofSeconds(5)).until(() -> b.events("down").size() == 1 && a.events("down").size() == 1);
        assertThat(a.events("down").get(0).reason()).isEqualTo(LinkDownReason.DISCONNECTED);
        assertThat(b.events("down").get(0).reason()).isEqualTo(LinkDownReason.PEER_CLOSED);
    }

    @Test
    void keepsExactlyOneLinkWhenBothNodesDialEachOtherAtOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            // Given two fresh nodes
            Node a = node("a" + round);
            Node b = node("b" + round);

            // When each dials the other at the same moment
            CompletableFuture<NodeId> ab = a.transport.connect(b.id().address());
            CompletableFuture<NodeId> ba = b.transport.connect(a.id().address());

            // Then both dials succeed, each side has one link and saw exactly one link up, and it carries messages
            assertThat(ab.get(5, TimeUnit.SECONDS)).isEqualTo(b.id());
            assertThat(ba.get(5, TimeUnit.SECONDS)).isEqualTo(a.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> a.transport.links().size() == 1 && b.transport.links().size() == 1);
            assertThat(a.transport.send(b.id(), new Chat.Text("x"))).isEqualTo(SendResult.QUEUED);
            assertThat(b.transport.send(a.id(), new Chat.Text("y"))).isEqualTo(SendResult.QUEUED);
            await().atMost(Duration.ofSeconds(5)).until(() -> b.texts().contains("x") && a.texts().contains("y"));
            assertThat(a.events).extracting(Node.Event::kind).containsExactly("up");
            assertThat(b.events).extracting(Node.Event::kind).containsExactly("up");
        }
    }

    @Test
    void aNewIncarnationOfAPeerReplacesTheOldLink() throws Exception {
        // Given a linked to b on a fixed port
        Node a = node("a");
        Node b1 = node("b");
        connect(b1, a);
        await().until(() -> a.transport.links().contains(b1.id()));
        var port = b1.id().address();

        // When b restarts (killed without goodbye is not needed: a new incarnation dials in while the old link is up)
        Node b2 = node("b", TransportConfig.local("test", SECRET).toBuilder()
                .bindAddress(new io.hyphae.membership.HostAndPort("127.0.0.1", 0))
                .advertisedAddress(java.util.Optional.of(port)).build());
        connect(b2, a);

        // Then a dropped the old incarnation and links the new one
        await().atMost(Duration.ofSeconds(5)).until(() -> a.transport.links().equals(java.util.Set.of(b2.id())));
        assertThat(a.events).extracting(Node.Event::kind, Node.Event::peer, Node.Event::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("up", b1.id(), null),
                org.assertj.core.groups.Tuple.tuple("down", b1.id(), LinkDownReason.REPLACED),
                org.assertj.core.groups.Tuple.tuple("up", b2.id(), null));
        assertThat(a.transport.send(b1.id(), new Chat.Text("old"))).isEqualTo(SendResult.NO_LINK);
        assertThat(a.transport.send(b2.id(), new Chat.Text("new"))).isEqualTo(SendResult.QUEUED);
        await().until(() -> b2.texts().contains("new"));
    }

    @Test
    void redialsALinkThatBrokeUntilThePeerIsBack() throws Exception {
        // Given a dialled b, and b runs on threads of its own
        Node a = node("a");
        TransportResources bThreads = TransportResources.create(1);
        Node b1 = new Node("b", TransportConfig.local("test", SECRET), bThreads);
        connect(a, b1);
        await().until(() -> b1.transport.links().contains(a.id()));

        // When b's process dies without a goodbye (its threads stop and the sockets just close)
        bThreads.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.events("down").size() == 1);
        // ... and b comes back on the same port
        Node b2 = node("b", TransportConfig.local("test", SECRET).toBuilder().bindAddress(b1.id().address()).build());

        // Then a redials by itself and links b's new incarnation
        await().atMost(Duration.ofSeconds(5)).until(() -> a.transport.links().equals(java.util.Set.of(b2.id())));
        assertThat(a.events("down")).extracting(Node.Event::reason).containsExactly(LinkDownReason.CONNECTION_LOST);
        assertThat(a.transport.send(b2.id(), new Chat.Text("again"))).isEqualTo(SendResult.QUEUED);
        await().until(() -> b2.texts().contains("again"));
    }

    @Test
    void failsToConnectToAnAddressNobodyListensOn() throws Exception {
        // Given a port that was just free
        Node a = node("a");
        int freePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }

        // Then a dial fails with the socket's reason, and no link appears
        var dial = a.transport.connect(new io.hyphae.membership.HostAndPort("127.0.0.1", freePort));
        assertThatThrownBy(() -> dial.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(java.net.ConnectException.class);
        assertThat(a.transport.links()).isEmpty();
    }

    @Test
    void refusesToStartOnAPortThatIsTaken() {
        Node a = node("a");
        TransportConfig sameAddress = TransportConfig.local("test", SECRET).toBuilder().bindAddress(a.id().address()).build();

        assertThatThrownBy(() -> Transport.start(sameAddress, "b", new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), resources))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(a.id().address().toString());
    }

    @Test
    void doesNotLetAUserShutDownTheSharedExecutor() {
        Node a = node("a");
        assertThatThrownBy(() -> a.transport.executor().shutdown()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(a.transport.executor().isShutdown()).isFalse();
    }

    @Test
    void refusesToSendATypeNoProtocolRegistered() {
        Node a = node("a");
        assertThatThrownBy(() -> a.transport.send(a.id(), "a string")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesToRegisterATakenProtocolId() {
        Node a = node("a");
        assertThatThrownBy(() -> a.transport.register(Chat.Codec.INSTANCE, (f, m) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("42");
    }

    // ---- dial backoff: a dial that failed holds its address for the reconnect backoff, whoever
    // asks next; once the backoff ran out the address is dialled again. Real sockets: a
    // multicast address, which TCP refuses at once with "Network is unreachable" (no SYN goes
    // out, as under a blackhole route), and a loopback port with nothing listening (refused).

    /** TCP will not connect to a multicast group: connect() fails at once, without root or a route. */
    static final HostAndPort FAILS_AT_ONCE = new HostAndPort("224.0.0.1", 7946);

    Node node(String name, Backoff backoff, int port) {
        TransportConfig config = TransportConfig.local("test", SECRET).toBuilder()
                .bindAddress(new HostAndPort("127.0.0.1", port))
                .reconnectBackoff(backoff)
                .build();
        return node(name, config);
    }

    static Throwable failure(Node from, HostAndPort to) {
        try {
            from.transport.connect(to).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the dial to " + to + " did not fail: " + e, e);
        }
        throw new AssertionError("the dial to " + to + " succeeded");
    }

    double dials(Node n, String result) {
        return n.count("hyphae.transport.dials", "result", result);
    }

    @Test
    void anAddressThatFailsAtOnceIsNotDialledAgainBeforeItsBackoff() {
        // Given a node whose dials back off for 15-30 s after a failure
        Node a = node("a", new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), 2.0), 0);

        // When it is asked 200 times, one after the other, for a link to an address that fails at once
        Throwable first = failure(a, FAILS_AT_ONCE);
        List<Throwable> later = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
            later.add(failure(a, FAILS_AT_ONCE));
        }

        // Then only the first went out as a socket; every later ask was answered at once, as backing off
        assertThat(first).isNotInstanceOf(DialBackoffException.class);
        assertThat(later).allSatisfy(e -> assertThat(e).isInstanceOf(DialBackoffException.class)
                .hasNoCause()
                .satisfies(b -> assertThat(((DialBackoffException) b).address()).isEqualTo(FAILS_AT_ONCE)));
        assertThat(dials(a, "started")).isEqualTo(1);
        assertThat(dials(a, "failed")).isEqualTo(1);
        assertThat(dials(a, "backing_off")).isEqualTo(199);
    }

    @Test
    void aRefusedDialStillFailsAsRefusedAndTheAddressIsDialledAgainOnceItsBackoffRanOut() {
        // Given a peer that stopped listening (its process died: the port is closed)
        Node peer = node("b", Backoff.DEFAULT, 0);
        HostAndPort address = peer.id().address();
        peer.close();
        nodes.remove(peer);
        Node a = node("a", new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(2), 2.0), 0);

        // When a dials it: refused, at once, as a refusal (the node turns that into a DOWN at once),
        // and once more (one refusal may be a restart at that address, so it holds nothing)
        Throwable refused = failure(a, address);
        assertThat(refusedConnection(refused)).as("%s is a refused connection", refused).isTrue();
        assertThat(refusedConnection(failure(a, address))).isTrue();
        // and asks again while the address is held: answered without a dial
        assertThat(failure(a, address)).isInstanceOf(DialBackoffException.class);

        // Then once the peer is back on its port, a's asking (every 100 ms) links up after the backoff
        Node back = node("b", Backoff.DEFAULT, address.port());
        NodeId linked = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try {
                        return a.transport.connect(address).join();
                    } catch (CompletionException e) {
                        return null;
                    }
                }, id -> id != null);
        assertThat(linked).isEqualTo(back.id());
        assertThat(dials(a, "started")).as("two dials refused, one linked; none while held").isEqualTo(3);
        assertThat(dials(a, "backing_off")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aPeerThatDialsInLiftsTheHoldOnItsAddress() throws Exception {
        // Given a holds b's address after refused dials (b was down), for 15-30 s
        HeldAddress held = aHoldingTheAddressOfADeadPeer();
        Node a = held.a();
        HostAndPort address = held.address();

        // When b is back and dials a itself
        Node back = node("b", Backoff.DEFAULT, address.port());
        back.transport.connect(a.id().address()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.transport.links().contains(back.id()));
        a.transport.disconnect(back.id());
        await().atMost(Duration.ofSeconds(5)).until(() -> a.transport.links().isEmpty());

        // Then a dials b's address again at once: the answer from that address lifted the hold
        assertThat(a.transport.connect(address).get(5, TimeUnit.SECONDS)).isEqualTo(back.id());
        assertThat(dials(a, "started")).isEqualTo(3);
    }

    @Test
    void aPeerAnnouncedAsAMemberLiftsTheHoldOnItsAddress() throws Exception {
        // Given a holds b's address after refused dials (b was down), for 15-30 s
        HeldAddress held = aHoldingTheAddressOfADeadPeer();
        Node a = held.a();
        HostAndPort address = held.address();

        // When b is back and a hears of it as a member by other nodes (b does not dial a)
        Node back = node("b", Backoff.DEFAULT, address.port());
        a.transport.peerAnnounced(back.id());

        // Then a dials b at once instead of failing for the rest of the hold (after a partition
        // healed, a cast to a member known alive was dropped as unreachable for up to 10 s)
        assertThat(a.transport.connect(address).get(5, TimeUnit.SECONDS)).isEqualTo(back.id());
        assertThat(dials(a, "started")).isEqualTo(3);
    }

    private record HeldAddress(Node a, HostAndPort address) {
    }

    /** Node a, after two refused dials to a peer b that died: b's address is held for 15-30 s. */
    private HeldAddress aHoldingTheAddressOfADeadPeer() {
        Node peer = node("b", Backoff.DEFAULT, 0);
        HostAndPort address = peer.id().address();
        peer.close();
        nodes.remove(peer);
        Node a = node("a", new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), 2.0), 0);
        failure(a, address);
        failure(a, address);
        assertThat(failure(a, address)).isInstanceOf(DialBackoffException.class);
        return new HeldAddress(a, address);
    }

    static boolean refusedConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
    @Test
    void aHandshakeUnderWayWhenTheNodeRenewsItsIncarnationIsCutShort() throws Exception {
        // Given a peer half-way through its handshake with a, which has challenged it as a's first incarnation
        Node a = node("a", TransportConfig.local("test", SECRET).toBuilder().handshakeTimeout(Duration.ofSeconds(60)).build());
        NodeId first = a.id();
        try (RawPeer peer = new RawPeer(first.address(), "peer")) {
            assertThat(peer.hello("test", new byte[ControlMessage.NONCE_BYTES]).sender()).isEqualTo(first);

            // When a rejoins as its next incarnation
            NodeId renewed = a.transport.executor().submit(a.transport::renewIncarnation).get(5, TimeUnit.SECONDS);

            // Then that handshake ends at once, long before its timeout: finished, it would give
            // the peer a link to a's old incarnation, over which a would send as its new one
            assertThat(renewed.incarnation()).isGreaterThan(first.incarnation());
            assertThat(peer.closedByPeer(Duration.ofSeconds(10))).isTrue();
            assertThat(a.handshakesFailed(HandshakeFailure.CLOSED)).isEqualTo(1);
            assertThat(a.transport.links()).isEmpty();
        }
    }
}
