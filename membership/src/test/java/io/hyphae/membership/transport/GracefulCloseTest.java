package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * No frame a send accepted is lost when its link closes or is swapped mid-stream: two streams
 * of numbered frames, one each way, run while the link goes; every frame {@link SendResult#QUEUED}
 * arrives, once, in order, and every other one got a refusal.
 */
class GracefulCloseTest {

    final TransportResources resources = TransportResources.create(2, engine());
    final List<Node> nodes = new ArrayList<>();
    final List<Stream> streams = new ArrayList<>();

    /** The engine under test; {@link NioGracefulCloseTest} runs every case on NIO too. */
    IoEngine engine() {
        return IoEngine.best();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Stream s : streams) {
            s.stop = true;
            s.thread.join(10_000);
        }
        nodes.forEach(Node::close);
        resources.close();
    }

    Node node(String name) {
        return node(name, Duration.ofSeconds(30));
    }

    Node node(String name, Duration linkIdleTimeout) {
        // Generous timeouts: the machine is shared, and a handshake or heartbeat starved past its
        // timeout would close a link without a goodbye, which is not what these tests are about.
        TransportConfig config = TransportConfig.local("test", TransportTestBase.SECRET).toBuilder()
                .handshakeTimeout(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(10))
                .linkIdleTimeout(linkIdleTimeout).build();
        Node n = new Node(name, config, resources);
        nodes.add(n);
        return n;
    }

    /** Sends "prefix-0", "prefix-1", … from one node to another as fast as the receiver keeps up. */
    final class Stream {
        final Node from;
        final Node to;
        final String prefix;
        final List<String> accepted = new ArrayList<>(); // the sending thread's only
        final AtomicInteger acceptedCount = new AtomicInteger();
        final Map<SendResult, Integer> refused = new ConcurrentHashMap<>();
        final AtomicInteger received = new AtomicInteger();
        final Thread thread;
        volatile boolean stop;
        /** Stop once a send finds no link at all (the link closed and is gone). */
        volatile boolean stopAtNoLink;

        Stream(Node from, Node to, String prefix) {
            this.from = from;
            this.to = to;
            this.prefix = prefix + "-";
            thread = new Thread(this::run, "stream-" + prefix);
        }

        private void run() {
            for (int i = 0; !stop; i++) {
                // Keep the queue short: the point is frames in flight, not backpressure.
                try {
                    if (!to.awaitReceivedAtLeast(acceptedCount.get() - 2_000, () -> stop)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                String text = prefix + i;
                SendResult r = from.transport.send(to.id(), new Chat.Text(text));
                if (r == SendResult.QUEUED) {
                    accepted.add(text);
                    acceptedCount.incrementAndGet();
                } else {
                    refused.merge(r, 1, Integer::sum);
                    if (r == SendResult.NO_LINK && stopAtNoLink) {
                        return;
                    }
                }
            }
        }

        List<String> arrived() {
            return to.texts().stream().filter(t -> t.startsWith(prefix)).toList();
        }
    }

    Stream stream(Node from, Node to, String prefix) {
        Stream s = new Stream(from, to, prefix);
        streams.add(s);
        s.thread.start();
        return s;
    }

    @Test
    void closingALinkMidStreamDeliversEveryAcceptedFrameBothWays() throws Exception {
        // Given a link between a and b carrying a stream of numbered frames each way
        Node a = node("a");
        Node b = node("b");
        a.transport.connect(b.id().address()).get(5, TimeUnit.SECONDS);
        await().until(() -> b.transport.links().contains(a.id()));
        Stream ab = stream(a, b, "ab");
        Stream ba = stream(b, a, "ba");
        await().atMost(Duration.ofSeconds(20)).until(() -> ab.arrived().size() > 1_000 && ba.arrived().size() > 1_000);

        // When a closes the link (as the overlay dropping b would) while both streams run
        ab.stopAtNoLink = true;
        ba.stopAtNoLink = true;
        a.transport.disconnect(b.id());

        // Then both sides see it go, each stream ends on NO_LINK, and every accepted frame arrived in order
        await().atMost(Duration.ofSeconds(10)).until(() -> !ab.thread.isAlive() && !ba.thread.isAlive());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.events("down").size() == 1 && b.events("down").size() == 1);
        assertThat(a.events("down").get(0).reason()).isEqualTo(LinkDownReason.DISCONNECTED);
        assertThat(b.events("down").get(0).reason()).isEqualTo(LinkDownReason.PEER_CLOSED);
        for (Stream s : List.of(ab, ba)) {
            assertThat(s.arrived()).as(s.prefix).containsExactlyElementsOf(s.accepted);
            assertThat(s.refused.keySet()).as(s.prefix).isSubsetOf(SendResult.LINK_CLOSING, SendResult.NO_LINK);
        }
    }

    @Test
    void swappingTheLinkByTheTieBreakLosesNoFrameAndKeepsTheOrder() throws Exception {
        // Given b (the larger name) dialled a, and a stream of numbered frames runs each way
        Node a = node("a");
        Node b = node("b");
        b.transport.connect(a.id().address()).get(5, TimeUnit.SECONDS);
        await().until(() -> a.transport.links().contains(b.id()));
        Stream ab = stream(a, b, "ab");
        Stream ba = stream(b, a, "ba");
        await().atMost(Duration.ofSeconds(20)).until(() -> ab.arrived().size() > 1_000 && ba.arrived().size() > 1_000);

        // When a dials b too (by another name for b's address, so a does not see the link it has):
        // the tie-break keeps the connection dialled by the smaller node, and both ends swap to it
        NodeId answered = a.transport.connect(new HostAndPort("localhost", b.id().address().port())).get(5, TimeUnit.SECONDS);
        int afterSwapAb = ab.acceptedCount.get() + 1_000;
        int afterSwapBa = ba.acceptedCount.get() + 1_000;
        await().atMost(Duration.ofSeconds(20)).until(() -> ab.arrived().size() > afterSwapAb && ba.arrived().size() > afterSwapBa);
        ab.stop = true;
        ba.stop = true;
        ab.thread.join(10_000);
        ba.thread.join(10_000);

        // Then the swap happened without a link event, and every accepted frame arrived, once, in order
        assertThat(answered).isEqualTo(b.id());
        assertThat(a.count("hyphae.transport.handshakes", "result", "duplicate") + b.count("hyphae.transport.handshakes", "result", "duplicate"))
                .isPositive();
        for (Stream s : List.of(ab, ba)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.arrived().size() >= s.accepted.size());
            assertThat(s.arrived()).as(s.prefix).containsExactlyElementsOf(s.accepted);
            // a side that hears the old connection's goodbye before its own handshake of the new
            // one ends refuses sends for that moment; nothing it accepted is lost
            assertThat(s.refused.keySet()).as(s.prefix).isSubsetOf(SendResult.LINK_CLOSING);
        }
        assertThat(a.events).extracting(Node.Event::kind).containsExactly("up");
        assertThat(b.events).extracting(Node.Event::kind).containsExactly("up");
        assertThat(a.transport.links()).containsExactly(b.id());
    }

    @Test
    void anIdleLinkThatNeitherEndHoldsClosesGracefully() throws Exception {
        // Given two nodes that close idle links after 200 ms, and nothing holds their link
        Node a = node("a", Duration.ofMillis(200));
        Node b = node("b", Duration.ofMillis(200));
        a.transport.connect(b.id().address()).get(5, TimeUnit.SECONDS);
        a.transport.send(b.id(), new Chat.Text("one"));
        await().until(() -> b.texts().contains("one"));

        // When nothing crosses it (heartbeats do not count)
        // Then it closes with goodbyes both ways: idle on the side that took the proposal, closed
        // by the peer on the side that made it (or idle on both, when both proposed at once)
        await().atMost(Duration.ofSeconds(10)).until(() -> a.events("down").size() == 1 && b.events("down").size() == 1);
        List<LinkDownReason> reasons = List.of(a.events("down").get(0).reason(), b.events("down").get(0).reason());
        assertThat(reasons).contains(LinkDownReason.IDLE).isSubsetOf(LinkDownReason.IDLE, LinkDownReason.PEER_CLOSED);
        assertThat(a.transport.links()).isEmpty();
    }

    @Test
    void anIdleLinkStaysOpenWhileEitherEndHoldsIt() throws Exception {
        // Given two nodes that close idle links after 200 ms, and b holds its link to a
        Node a = node("a", Duration.ofMillis(200));
        Node b = node("b", Duration.ofMillis(200));
        b.transport.addLinkHolder(new LinkHolder() {
            @Override
            public boolean holds(NodeId peer) {
                return peer.equals(a.id());
            }

            @Override
            public java.util.Set<Byte> protocols() {
                return java.util.Set.of();
            }
        });
        a.transport.connect(b.id().address()).get(5, TimeUnit.SECONDS);

        // When nothing crosses it for many idle periods
        // Then it stays up on both sides: a proposes closing it, b declines
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> a.transport.links().contains(b.id()) && b.transport.links().contains(a.id()));
        assertThat(a.count("hyphae.transport.frames.out", "protocol", "ControlMessage", "type", "IDLE_CLOSE")).isPositive();
        assertThat(a.events("down")).isEmpty();
        assertThat(b.events("down")).isEmpty();
    }

    @Test
    void aReleasedLinkClosesAtOnceUnlessTheOtherProtocolsStillUseIt() throws Exception {
        // Given links from a to b and to c, idle links closing only after a minute, and the chat
        // protocol counting as use (no holder accounts for it)
        Node a = node("a", Duration.ofMinutes(1));
        Node b = node("b", Duration.ofMinutes(1));
        Node c = node("c", Duration.ofMinutes(1));
        a.transport.connect(b.id().address()).get(5, TimeUnit.SECONDS);
        a.transport.connect(c.id().address()).get(5, TimeUnit.SECONDS);
        // ... and the a–c link carrying chat
        a.transport.send(c.id(), new Chat.Text("in use"));
        await().until(() -> c.texts().contains("in use"));

        // When a holder lets go of both
        a.transport.release(b.id());
        a.transport.release(c.id());

        // Then the unused one closes at once, gracefully, and the one in use stays
        await().atMost(Duration.ofSeconds(10)).until(() -> a.events("down").size() == 1);
        assertThat(a.events("down")).extracting(Node.Event::peer, Node.Event::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(b.id(), LinkDownReason.PEER_CLOSED));
        assertThat(a.transport.links()).containsExactly(c.id());
    }
}
