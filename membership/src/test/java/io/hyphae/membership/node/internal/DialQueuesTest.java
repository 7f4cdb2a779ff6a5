package io.hyphae.membership.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The per-peer queues of messages waiting for a link, driven by hand: the test plays the transport. */
class DialQueuesTest {

    private static final NodeId PEER = new NodeId("peer", new HostAndPort("127.0.0.1", 7001), 1);

    /** A transport with no link until the test completes the dial; records what was written. */
    private final List<Object> written = new ArrayList<>();
    private final List<String> dialFailures = new ArrayList<>();
    private final CompletableFuture<NodeId> dial = new CompletableFuture<>();
    private boolean linkUp;
    private final DialQueues queues = new DialQueues(new DialQueues.Wire() {
        @Override
        public SendResult send(NodeId to, Object message) {
            if (!linkUp) {
                return SendResult.NO_LINK;
            }
            written.add(message);
            return SendResult.QUEUED;
        }

        @Override
        public CompletableFuture<NodeId> connect(HostAndPort address) {
            return dial;
        }

        @Override
        public boolean linkedTo(NodeId peer) {
            return linkUp;
        }
    }, Runnable::run, (peer, refused) -> dialFailures.add(peer + (refused ? " refused" : " down")));

    private void linkComesUp() {
        linkUp = true;
        dial.complete(PEER);
    }

    @Test
    void messagesSentWhileTheLinkOpensAreWrittenInOrderOnceItIsUp() {
        CompletableFuture<Void> first = new CompletableFuture<>();
        queues.send(PEER, "core-1", null);
        queues.send(PEER, "rpc-1", first);
        queues.send(PEER, "core-2", null);

        linkComesUp();

        assertThat(written).containsExactly("core-1", "rpc-1", "core-2");
        assertThat(first).isCompleted().isNotCompletedExceptionally();
        assertThat(dialFailures).isEmpty();
    }

    @Test
    void aDisconnectWhileTheLinkOpensGivesUpTheCoresMessagesButNotThoseOfTheLayersAbove() {
        // Given the core's messages and RPC's waiting for a link to the peer
        CompletableFuture<Void> rpc1 = new CompletableFuture<>();
        CompletableFuture<Void> rpc2 = new CompletableFuture<>();
        queues.send(PEER, "core-1", null);
        queues.send(PEER, "rpc-1", rpc1);
        queues.send(PEER, "core-2", null);
        queues.send(PEER, "rpc-2", rpc2);

        // When the core no longer wants the link, and then the link comes up
        queues.disconnect(PEER);
        assertThat(rpc1).isNotDone();
        linkComesUp();

        // Then RPC's messages are written, in order, and their senders told; the core's are not
        assertThat(written).containsExactly("rpc-1", "rpc-2");
        assertThat(rpc1).isCompleted().isNotCompletedExceptionally();
        assertThat(rpc2).isCompleted().isNotCompletedExceptionally();
    }

    @Test
    void aDisconnectWithOnlyTheCoresMessagesWaitingGivesTheDialUp() {
        queues.send(PEER, "core-1", null);

        queues.disconnect(PEER);
        linkComesUp();

        assertThat(written).isEmpty();
        assertThat(dialFailures).isEmpty();
    }

    @Test
    void aFailedDialFailsEveryWaitingSenderAndIsReported() {
        CompletableFuture<Void> rpc = new CompletableFuture<>();
        queues.send(PEER, "rpc-1", rpc);

        dial.completeExceptionally(new java.net.ConnectException("Connection refused"));

        assertThat(rpc).isCompletedExceptionally();
        assertThat(written).isEmpty();
        assertThat(dialFailures).containsExactly(PEER + " refused");
    }
}
