package io.hyphae.rpc.process;

import static io.hyphae.rpc.process.ClusterNodeMain.BOOM;
import static io.hyphae.rpc.process.ClusterNodeMain.NOBODY;
import static io.hyphae.rpc.process.ClusterNodeMain.SEQ;
import static io.hyphae.rpc.process.ClusterNodeMain.SLOW;
import static io.hyphae.rpc.process.ClusterNodeMain.WHOAMI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcConfig;
import io.hyphae.testkit.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Five nodes, each in its own JVM: this test's JVM (node-0, the caller) and four
 * {@link ClusterNodeMain} processes, on 127.0.0.1 with a cluster secret and static discovery.
 * One cluster for the class; the last two tests kill one node and make another leave, so they
 * run last, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RpcClusterProcessTest {

    private static final int OTHERS = 4;
    private static final Duration STARTUP = Duration.ofSeconds(40);
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final Duration LONG_CALL = Duration.ofSeconds(25);

    private static final List<NodeProcess> processes = new ArrayList<>();
    private static final CountDownLatch stopping = new CountDownLatch(1);
    private static final ClusterNodeMain.SequenceCheck localCheck = new ClusterNodeMain.SequenceCheck();
    private static TransportResources resources;
    private static Rpc caller;

    @BeforeAll
    static void startCluster() throws Exception {
        List<Integer> ports = FreePorts.tcp(OTHERS + 1);
        try {
            for (int i = 1; i <= OTHERS; i++) {
                processes.add(NodeProcess.start("node-" + i, ports.get(i), ports));
            }
            resources = TransportResources.create(1);
            caller = Rpc.start(ClusterNodeMain.config("node-0", ports.get(0), ports), RpcConfig.defaults(),
                    new SimpleMeterRegistry(), resources,
                    r -> ClusterNodeMain.registerAll(r, "node-0", localCheck, stopping, new PrintStream(PrintStream.nullOutputStream())));
            for (NodeProcess p : processes) {
                p.await("READY", STARTUP);
            }
            await().atMost(STARTUP).until(() -> caller.node().liveMembers().size() == OTHERS + 1);
        } catch (Exception | Error e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() {
        stopping.countDown();
        processes.forEach(NodeProcess::close);
        if (caller != null) {
            caller.close();
        }
        if (resources != null) {
            resources.close();
        }
    }

    @Test
    @Order(1)
    void gathersTheReplyOfEveryNodeIncludingTheCaller() {
        // Given five live members, each answering whoami with its name
        // When the caller multicalls every live member
        MulticallResult<String> result = caller.multicall(WHOAMI, "?", CALL);

        // Then all five replied, each with its own name
        assertThat(result.badNodes()).isEmpty();
        assertThat(result.replies()).hasSize(OTHERS + 1);
        result.replies().forEach((node, reply) -> assertThat(reply).isEqualTo(node.name()));
    }

    @Test
    @Order(2)
    void reportsAHandlerThatThrowsWithTheRemoteMessage() {
        // Given a handler that throws on every node
        // When the caller multicalls it
        MulticallResult<String> result = caller.multicall(BOOM, "?", CALL);

        // Then every node is a bad node, HANDLER_THREW, carrying its own exception message
        assertThat(result.replies()).isEmpty();
        assertThat(result.badNodes()).hasSize(OTHERS + 1).allSatisfy(bad -> {
            assertThat(bad.reason()).isEqualTo(Reason.HANDLER_THREW);
            assertThat(bad.detail()).hasValueSatisfying(d -> assertThat(d).contains("boom from " + bad.node().name()));
        });
    }

    @Test
    @Order(3)
    void reportsASlowNodeTimedOutAtTheTimeoutWhileTheOthersReply() {
        // Given one node whose handler takes 5 s and three that answer at once
        NodeId slow = member("node-1");
        List<NodeId> quick = List.of(member("node-2"), member("node-3"), member("node-4"));
        // When the caller calls the slow one with a 300 ms timeout, and the quick ones alongside
        CompletableFuture<MulticallResult<String>> slowCall = caller.multicallAsync(List.of(slow), SLOW, "5000", Duration.ofMillis(300));
        MulticallResult<String> quickCall = caller.multicall(quick, WHOAMI, "?", CALL);

        // Then the slow node is TIMED_OUT, well before its handler finishes, and the quick ones replied
        MulticallResult<String> result = slowCall.orTimeout(3, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(result.badNodes()).extracting(BadNode::node, BadNode::reason).containsExactly(org.assertj.core.groups.Tuple.tuple(slow, Reason.TIMED_OUT));
        assertThat(quickCall.replies()).containsOnlyKeys(quick);
    }

    @Test
    @Order(4)
    void reportsANameNobodyRegisteredAsNoSuchHandler() {
        // Given no node registered "nobody"
        // When the caller multicalls it
        MulticallResult<String> result = caller.multicall(NOBODY, "?", CALL);

        // Then every node answers NO_SUCH_HANDLER
        assertThat(result.badNodes()).hasSize(OTHERS + 1).allSatisfy(bad -> assertThat(bad.reason()).isEqualTo(Reason.NO_SUCH_HANDLER));
    }

    @Test
    @Order(5)
    void deliversTwoSendersAbcastsToEveryNodeAtMostOnceAndInEachSendersOrder() throws Exception {
        // Given two senders, the caller and node-1, and every node checking each sender's sequence
        int perSender = 20_000;
        NodeProcess otherSender = processes.get(0);

        // When both abcast 20,000 casts at once
        otherSender.tell("abcast " + perSender);
        for (int i = 0; i < perSender; i++) {
            caller.abcast(SEQ, Integer.toString(i));
        }
        otherSender.await("SENT", LONG_CALL);

        // Then every node, the senders included, got every cast of each sender, in order and none
        // twice (no cast is lost to a link the overlay lets go of mid-stream: docs/transport.md)
        String complete = perSender + " 0 " + (perSender - 1); // received, backwards, highest
        Map<String, String> everything = Map.of("node-0", complete, "node-1", complete);
        await().atMost(Duration.ofSeconds(30)).until(() -> everything.equals(localCheck.summary())
                && processes.stream().allMatch(p -> everything.equals(countsOrEmpty(p))));
    }

    private static Map<String, String> countsOrEmpty(NodeProcess p) {
        try {
            return counts(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    @Test
    @Order(6)
    void reportsANodeKilledDuringACallUnreachableLongBeforeTheTimeout() throws Exception {
        // Given a call outstanding on node-4, whose handler is running
        NodeProcess victim = processes.get(3);
        NodeId victimId = member(victim.name);
        CompletableFuture<MulticallResult<String>> call = caller.multicallAsync(List.of(victimId), SLOW, "60000", LONG_CALL);
        victim.await("SLOW-STARTED", CALL);

        // When the process is killed (SIGKILL)
        victim.kill();

        // Then the call completes with node-4 UNREACHABLE, not TIMED_OUT after 25 s
        MulticallResult<String> result = call.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(result.badNode(victimId)).hasValueSatisfying(bad -> assertThat(bad.reason()).isEqualTo(Reason.UNREACHABLE));
    }

    @Test
    @Order(7)
    void reportsANodeLeavingDuringACallAsLeft() throws Exception {
        // Given a call outstanding on node-3, whose handler is running
        NodeProcess leaver = processes.get(2);
        NodeId leaverId = member(leaver.name);
        CompletableFuture<MulticallResult<String>> call = caller.multicallAsync(List.of(leaverId), SLOW, "60000", LONG_CALL);
        leaver.await("SLOW-STARTED", CALL);

        // When node-3 leaves the cluster gracefully
        leaver.tell("leave");

        // Then the call completes at once with node-3 LEFT
        MulticallResult<String> result = call.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(result.badNode(leaverId)).hasValueSatisfying(bad -> assertThat(bad.reason()).isEqualTo(Reason.LEFT));
    }

    private static NodeId member(String name) {
        return caller.node().liveMembers().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not a live member"));
    }

    /** Sender name to "backwards highest" as the node reports it. */
    private static Map<String, String> counts(NodeProcess p) throws InterruptedException {
        Map<String, String> m = new HashMap<>();
        for (String line : p.report(CALL)) {
            String[] f = line.split(" ");
            m.put(f[1], f[2] + " " + f[3] + " " + f[4]);
        }
        return m;
    }
}
