package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.faults.FaultSyntax;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The transport's fault injector on real sockets: two transports on 127.0.0.1, the rules on a. */
class FaultInjectionTest extends TransportTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private Node a;
    private Node b;

    /** a and b, linked (a dialled), both seeing the link. */
    private void linked() throws Exception {
        a = node("a");
        b = node("b");
        connect(a, b);
        await().atMost(PATIENCE).until(() -> b.transport.links().contains(a.id()));
    }

    @Test
    void aDelayHoldsFramesInOrderWhileOtherProtocolsPassAndClearingReleasesThem() throws Exception {
        // Given a delays its chat frames to b by ten minutes
        linked();
        a.transport.faults().add(FaultSyntax.parse("delay 10m to=b protocol=42"));

        // When a sends three
        send(a, b, "one", "two", "three");

        // Then b hears a's heartbeats sent after them (control frames pass), but none of them
        double heartbeats = heartbeatsReceived(b);
        await().atMost(PATIENCE).until(() -> heartbeatsReceived(b) >= heartbeats + 3);
        assertThat(b.texts()).isEmpty();
        assertThat(b.transport.links()).contains(a.id());

        // When the rules are cleared, the held frames leave at once, in order
        a.transport.faults().clear();
        await().atMost(PATIENCE).until(() -> b.texts().size() == 3);
        assertThat(b.texts()).containsExactly("one", "two", "three");
    }

    @Test
    void framesADelayHoldsForRandomTimesStillArriveInOrder() throws Exception {
        linked();
        a.transport.faults().seed(11);
        a.transport.faults().add(FaultSyntax.parse("delay 0ms 30ms to=b"));

        List<String> sent = texts(300);
        send(a, b, sent.toArray(String[]::new));

        await().atMost(PATIENCE).until(() -> b.texts().size() == sent.size());
        assertThat(b.texts()).containsExactlyElementsOf(sent);
    }

    @Test
    void reorderLetsLaterFramesOvertakeHeldOnesAndLosesNone() throws Exception {
        linked();
        a.transport.faults().seed(5);
        a.transport.faults().add(FaultSyntax.parse("reorder 0.3 500ms protocol=42"));

        List<String> sent = texts(100);
        send(a, b, sent.toArray(String[]::new));

        await().atMost(PATIENCE).until(() -> b.texts().size() == sent.size());
        assertThat(b.texts()).containsExactlyInAnyOrderElementsOf(sent).isNotEqualTo(sent);
    }

    @Test
    void duplicateSendsEachFrameTwiceAndTheTransportDoesNotHideIt() throws Exception {
        linked();
        a.transport.faults().add(FaultSyntax.parse("duplicate 1 from=a protocol=42"));

        send(a, b, "x", "y");

        await().atMost(PATIENCE).until(() -> b.texts().size() == 4);
        assertThat(b.texts()).containsExactly("x", "x", "y", "y");
        assertThat(a.count("hyphae.transport.faults", "action", "duplicated")).isEqualTo(2);
        assertThat(a.meters.get("hyphae.transport.fault.rules").gauge().value()).isEqualTo(1);
    }

    @Test
    void droppingEveryFrameOnALinkFailsItsHeartbeatAndClearingLetsItCarryAgain() throws Exception {
        // Given a drops everything it sends to b
        linked();
        a.transport.faults().add(FaultSyntax.parse("drop 1 to=b"));

        // Then b stops hearing a and closes the link for a heartbeat timeout
        await().atMost(PATIENCE).until(() -> b.events("down").stream()
                .anyMatch(e -> e.peer().equals(a.id()) && e.reason() == LinkDownReason.HEARTBEAT_TIMEOUT));
        assertThat(a.count("hyphae.transport.faults", "action", "dropped")).isPositive();

        // When the rule is cleared, a new link carries messages again
        a.transport.faults().clear();
        await().atMost(PATIENCE).untilAsserted(() -> connect(a, b));
        send(a, b, "back");
        await().atMost(PATIENCE).until(() -> b.texts().contains("back"));
    }

    @Test
    void aPartitionOnOneEndCutsTheLinkBothWaysAndNoNewLinkOpensUntilItIsRemoved() throws Exception {
        // Given a cuts itself off from b (b has no rule)
        linked();
        var cut = a.transport.faults().add(FaultSyntax.parse("partition a b"));

        // Then both ends lose the link: the first to time out closes it for a heartbeat timeout,
        // and the other sees the close (the injector drops frames, not TCP's FIN) or times out too
        await().atMost(PATIENCE).until(() -> !a.events("down").isEmpty() && !b.events("down").isEmpty());
        assertThat(List.of(a.events("down").get(0).reason(), b.events("down").get(0).reason()))
                .contains(LinkDownReason.HEARTBEAT_TIMEOUT)
                .allMatch(r -> r == LinkDownReason.HEARTBEAT_TIMEOUT || r == LinkDownReason.CONNECTION_LOST);
        assertThat(a.count("hyphae.transport.faults", "action", "dropped")).isPositive();

        // and a new dial fails from either side, as through a cut cable (the handshake times out)
        assertThatThrownBy(() -> connect(b, a)).hasCauseInstanceOf(HandshakeException.class);
        assertThatThrownBy(() -> connect(a, b)).hasCauseInstanceOf(HandshakeException.class);

        // When the rule is removed, they link and talk again
        a.transport.faults().remove(cut.id());
        connect(b, a);
        send(b, a, "healed");
        await().atMost(PATIENCE).until(() -> a.texts().contains("healed"));
    }

    private Node node(String name) {
        // A loaded machine may take more than the local preset's 2 s for a JVM's first handshake.
        return node(name, TransportConfig.local("faults", SECRET).toBuilder()
                .handshakeTimeout(Duration.ofSeconds(5)).build());
    }

    private static NodeId connect(Node from, Node to) throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        return from.transport.connect(to.id().address()).get(10, TimeUnit.SECONDS);
    }

    private static void send(Node from, Node to, String... texts) {
        for (String t : texts) {
            assertThat(from.transport.send(to.id(), new Chat.Text(t))).isEqualTo(SendResult.QUEUED);
        }
    }

    private static List<String> texts(int n) {
        return IntStream.range(0, n).mapToObj(i -> "m" + i).toList();
    }

    private static double heartbeatsReceived(Node n) {
        return n.count("hyphae.transport.frames.in", "protocol", "ControlMessage", "type", "HEARTBEAT");
    }
}
