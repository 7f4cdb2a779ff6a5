package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode.Reason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole RPC layer, three nodes in one JVM over {@link LoopbackFabric}: real codecs, real
 * handler executors, real timers; only the transport and the directory are stand-ins.
 */
class RpcLoopbackTest {

    // abcast to all over the fabric's broadcast (Plumtree's stand-in), not straight to each member.
    private static final RpcConfig OVER_PLUMTREE = RpcConfig.defaults().withDirectAbcastMaxMembers(0);

    static final Endpoint<String, String> ECHO = Endpoint.of("echo", RpcCodec.utf8());
    static final Endpoint<String, String> SLOW = Endpoint.of("slow", RpcCodec.utf8());
    static final Endpoint<String, String> BOOM = Endpoint.of("boom", RpcCodec.utf8());
    static final Endpoint<String, String> NOTHING = Endpoint.of("nothing-registered", RpcCodec.utf8());
    static final Endpoint<byte[], byte[]> BYTES = Endpoint.of("bytes", RpcCodec.bytes());
    static final Topic<String> NEWS = Topic.of("news", RpcCodec.utf8());

    // Generous: the machine is shared; these bound "answered at once" far below the call timeouts.
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(60);

    private final LoopbackFabric fabric = new LoopbackFabric();
    private final List<Rpc> started = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch slowEntered = new CountDownLatch(1);

    private LoopbackFabric.Node na;
    private LoopbackFabric.Node nb;
    private LoopbackFabric.Node nc;
    private final MeterRegistry metersA = new SimpleMeterRegistry();

    @BeforeEach
    void threeMembers() {
        na = fabric.join("a");
        nb = fabric.join("b");
        nc = fabric.join("c");
    }

    @AfterEach
    void stop() {
        release.countDown();
        started.forEach(Rpc::close);
        fabric.close();
    }

    @Test
    void gathersRepliesFromEveryLiveMemberIncludingTheCaller() {
        // Given three members serving echo
        Rpc a = startAll(RpcConfig.defaults());

        // When a multicalls echo to every live member
        MulticallResult<String> result = a.multicall(ECHO, "hi", LONG_TIMEOUT);

        // Then each member, the caller included, replied with its own name
        assertThat(result.replies()).containsExactlyInAnyOrderEntriesOf(Map.of(
                na.id, "a:hi", nb.id, "b:hi", nc.id, "c:hi"));
        assertThat(result.badNodes()).isEmpty();
        assertThat(metersA.get("hyphae.rpc.multicall.latency").timer().count()).isEqualTo(1);
        assertThat(metersA.get("hyphae.rpc.multicall.replies").counter().count()).isEqualTo(3);
    }

    @Test
    void reportsAHandlerThatThrowsWithTheRemoteMessage() {
        Rpc a = startAll(RpcConfig.defaults());

        MulticallResult<String> result = a.multicall(List.of(nb.id, nc.id), BOOM, "x", LONG_TIMEOUT);

        assertThat(result.replies()).isEmpty();
        assertThat(result.badNodes()).hasSize(2).allSatisfy(bad -> {
            assertThat(bad.reason()).isEqualTo(Reason.HANDLER_THREW);
            assertThat(bad.detail()).hasValueSatisfying(d -> assertThat(d)
                    .contains("IllegalStateException").contains("disk on fire"));
        });
        assertThat(badNodes(metersA, Reason.HANDLER_THREW)).isEqualTo(2);
    }

    @Test
    void answersASlowTargetTimedOutAtTheTimeoutNotLater() {
        // Given b's handler never answers in time (and a warmed-up cluster, so c's answer is quick)
        Rpc a = startAll(RpcConfig.defaults());
        assertThat(a.multicall(List.of(nb.id, nc.id), ECHO, "warm-up", LONG_TIMEOUT).allReplied()).isTrue();
        Duration timeout = Duration.ofSeconds(1);

        // When a calls b and c with a 1 s timeout
        long start = System.nanoTime();
        MulticallResult<String> result = a.multicall(List.of(nb.id, nc.id), SLOW, "x", timeout);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then c's reply is there, b is timed out, and the call returned at the timeout
        assertThat(result.replies()).containsOnlyKeys(nc.id);
        assertThat(result.badNodes()).containsExactly(BadNode.of(nb.id, Reason.TIMED_OUT));
        assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.plus(Duration.ofSeconds(2)));

        // And b's reply, when it finally comes, is dropped and counted as late
        release.countDown();
        await().atMost(PROMPTLY).until(() -> metersA.get("hyphae.rpc.multicall.late.answers").counter().count() == 1);
    }

    @Test
    void reportsANameNobodyRegisteredAsNoSuchHandlerOnEveryNode() {
        Rpc a = startAll(RpcConfig.defaults());

        MulticallResult<String> result = a.multicall(NOTHING, "x", LONG_TIMEOUT);

        assertThat(result.badNodes()).extracting(BadNode::node).containsExactlyInAnyOrder(na.id, nb.id, nc.id);
        assertThat(result.badNodes()).extracting(BadNode::reason).containsOnly(Reason.NO_SUCH_HANDLER);
        assertThat(result.badNodes().get(0).detail()).hasValueSatisfying(d -> assertThat(d).contains("nothing-registered"));
    }

    @Test
    void answersAtOnceWhenTheLinkToATargetIsLostMidCall() throws Exception {
        // Given a call waiting on b's slow handler, with a long timeout
        Rpc a = startAll(RpcConfig.defaults());
        CompletableFuture<MulticallResult<String>> call = a.multicallAsync(List.of(nb.id, nc.id), SLOW, "x", LONG_TIMEOUT);
        assertThat(slowEntered.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        // When the link a-b closes
        fabric.cutLink(na.id, nb.id);

        // Then the call completes now, not at the timeout, with b unreachable
        MulticallResult<String> result = call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result.replies()).containsOnlyKeys(nc.id);
        assertThat(result.badNodes()).containsExactly(BadNode.of(nb.id, Reason.UNREACHABLE, "link lost"));
    }

    @Test
    void answersLeftAtOnceWhenATargetLeavesMidCall() throws Exception {
        Rpc a = startAll(RpcConfig.defaults());
        CompletableFuture<MulticallResult<String>> call = a.multicallAsync(List.of(nb.id, nc.id), SLOW, "x", LONG_TIMEOUT);
        assertThat(slowEntered.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        fabric.leave(nb.id);

        MulticallResult<String> result = call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result.badNodes()).singleElement().satisfies(bad -> {
            assertThat(bad.node()).isEqualTo(nb.id);
            assertThat(bad.reason()).isEqualTo(Reason.LEFT);
        });
    }

    @Test
    void reportsAKilledNodeUnreachableOnTheFirstCallAfterTheKillWithoutWaiting() {
        // Given c was killed and the directory has not noticed yet (c is still a live member)
        Rpc a = startAll(RpcConfig.defaults());
        fabric.kill(nc.id);

        // When a multicalls everyone with a long timeout
        long start = System.nanoTime();
        MulticallResult<String> result = a.multicall(ECHO, "x", LONG_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then c is reported unreachable and the call did not wait for the timeout
        assertThat(result.replies()).containsOnlyKeys(na.id, nb.id);
        assertThat(result.badNodes()).singleElement().satisfies(bad -> {
            assertThat(bad.node()).isEqualTo(nc.id);
            assertThat(bad.reason()).isEqualTo(Reason.UNREACHABLE);
        });
        assertThat(took).isLessThan(PROMPTLY);
    }

    @Test
    void reportsTargetsThatAreNotMembersWithoutSendingToThem() {
        Rpc a = startAll(RpcConfig.defaults());
        NodeId stranger = new NodeId("stranger", new HostAndPort("127.0.0.1", 9), 1);

        MulticallResult<String> result = a.multicall(List.of(stranger, nb.id), ECHO, "x", LONG_TIMEOUT);

        assertThat(result.replies()).containsOnlyKeys(nb.id);
        assertThat(result.badNodes()).containsExactly(BadNode.of(stranger, Reason.NOT_A_MEMBER));
    }

    @Test
    void refusesACallPastTheOutstandingBoundAtOnce() throws Exception {
        // Given a node allowing two outstanding calls, both taken by calls to a slow handler
        Rpc a = startAll(RpcConfig.defaults().withMaxOutstandingCalls(2));
        CompletableFuture<MulticallResult<String>> first = a.multicallAsync(List.of(nb.id), SLOW, "1", LONG_TIMEOUT);
        CompletableFuture<MulticallResult<String>> second = a.multicallAsync(List.of(nb.id), SLOW, "2", LONG_TIMEOUT);

        // When a third call is made, it fails at once, in both forms
        CompletableFuture<MulticallResult<String>> third = a.multicallAsync(List.of(nc.id), ECHO, "3", LONG_TIMEOUT);
        assertThat(third).isCompletedExceptionally();
        assertThatThrownBy(() -> a.multicall(List.of(nc.id), ECHO, "4", LONG_TIMEOUT))
                .isInstanceOf(RpcLimitExceededException.class)
                .hasMessageContaining("maxOutstandingCalls");
        assertThat(metersA.get("hyphae.rpc.calls.rejected").tag("limit", "outstanding").counter().count()).isEqualTo(2);

        // And once the slow calls complete, calls are accepted again
        release.countDown();
        first.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        second.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(a.multicall(List.of(nc.id), ECHO, "5", LONG_TIMEOUT).replies()).containsOnlyKeys(nc.id);
    }

    @Test
    void refusesAnOversizedRequestAtOnceAndSendsNothing() {
        Rpc a = startAll(RpcConfig.defaults().withMaxPayloadBytes(1000));
        AtomicInteger served = new AtomicInteger();
        rpcOf(nb).register(BYTES, (from, bytes) -> {
            served.incrementAndGet();
            return bytes;
        });

        assertThatThrownBy(() -> a.multicall(List.of(nb.id), BYTES, new byte[1001], LONG_TIMEOUT))
                .isInstanceOf(RpcLimitExceededException.class)
                .hasMessageContaining("1001 bytes");
        assertThat(a.multicallAsync(List.of(nb.id), BYTES, new byte[1001], LONG_TIMEOUT)).isCompletedExceptionally();
        assertThatThrownBy(() -> a.abcast(Topic.of("big", RpcCodec.bytes()), new byte[1001]))
                .isInstanceOf(RpcLimitExceededException.class);

        // a payload at the limit goes through
        assertThat(a.multicall(List.of(nb.id), BYTES, new byte[1000], LONG_TIMEOUT).replies()).containsOnlyKeys(nb.id);
        assertThat(served).hasValue(1);
    }

    @Test
    void countsTheOrderingMarksOfAnAbcastAgainstThePayloadLimit() {
        // Given a direct cast to b since the last abcast, so the next abcast carries a 16-byte mark for b
        Rpc a = startAll(OVER_PLUMTREE.withMaxPayloadBytes(1000));
        a.cast(nb.id, NEWS, "x");

        // Then an abcast whose payload fits alone but not with the mark is refused at once
        assertThatThrownBy(() -> a.abcast(Topic.of("raw", RpcCodec.bytes()), new byte[990]))
                .isInstanceOf(RpcLimitExceededException.class)
                .hasMessageContaining("ordering marks");
        assertThat(a.multicall(List.of(nb.id), ECHO, "still fine", LONG_TIMEOUT).allReplied()).isTrue();
    }

    @Test
    void reportsAReplyOverTheSizeLimitAsHandlerThrew() {
        Rpc a = startAll(RpcConfig.defaults().withMaxPayloadBytes(1000));
        rpcOf(nb).register(BYTES, (from, bytes) -> new byte[5000]);

        MulticallResult<byte[]> result = a.multicall(List.of(nb.id), BYTES, new byte[1], LONG_TIMEOUT);

        assertThat(result.badNodes()).singleElement().satisfies(bad -> {
            assertThat(bad.reason()).isEqualTo(Reason.HANDLER_THREW);
            assertThat(bad.detail()).hasValueSatisfying(d -> assertThat(d).contains("5000 bytes").contains("maxPayloadBytes"));
        });
    }

    @Test
    void answersOverloadedWhenTheTargetsHandlerQueueIsFull() throws Exception {
        // Given b runs handlers on one thread with a queue of one
        Rpc a = start(na, RpcConfig.defaults(), metersA);
        start(nb, RpcConfig.defaults().withHandlerPool(1, 1), new SimpleMeterRegistry());
        start(nc, RpcConfig.defaults(), new SimpleMeterRegistry());

        // When one call occupies b's thread and a second waits in its queue
        CompletableFuture<MulticallResult<String>> busy = a.multicallAsync(List.of(nb.id), SLOW, "1", LONG_TIMEOUT);
        assertThat(slowEntered.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        CompletableFuture<MulticallResult<String>> queued = a.multicallAsync(List.of(nb.id), SLOW, "2", LONG_TIMEOUT);
        await().atMost(PROMPTLY).until(() -> rpcMeters.get(nb).get("hyphae.rpc.handler.queue.depth").gauge().value() == 1);

        // Then a third is refused by b at once, without queueing
        MulticallResult<String> third = a.multicall(List.of(nb.id), ECHO, "3", LONG_TIMEOUT);
        assertThat(third.badNodes()).singleElement().satisfies(bad -> assertThat(bad.reason()).isEqualTo(Reason.OVERLOADED));

        release.countDown();
        assertThat(busy.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS).replies()).containsOnlyKeys(nb.id);
        assertThat(queued.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS).replies()).containsOnlyKeys(nb.id);
    }

    @Test
    void callReturnsTheReplyOrThrowsWithTheReason() {
        Rpc a = startAll(RpcConfig.defaults());

        assertThat(a.call(nb.id, ECHO, "one", LONG_TIMEOUT)).isEqualTo("b:one");
        assertThatThrownBy(() -> a.call(nb.id, NOTHING, "one", LONG_TIMEOUT))
                .isInstanceOfSatisfying(RemoteCallException.class,
                        e -> assertThat(e.badNode().reason()).isEqualTo(Reason.NO_SUCH_HANDLER));
    }

    record Order(String item, int quantity) {
    }

    record Receipt(String item, int quantity, String servedBy) {
    }

    @Test
    void carriesRecordsAsJson() {
        Rpc a = startAll(RpcConfig.defaults());
        Endpoint<Order, Receipt> place = Endpoint.of("place", JsonCodec.of(Order.class), JsonCodec.of(Receipt.class));
        for (LoopbackFabric.Node n : List.of(nb, nc)) {
            rpcOf(n).register(place, (from, order) -> new Receipt(order.item(), order.quantity(), n.id.name()));
        }

        MulticallResult<Receipt> result = a.multicall(List.of(nb.id, nc.id), place, new Order("tea", 2), LONG_TIMEOUT);

        assertThat(result.replies()).containsExactlyInAnyOrderEntriesOf(Map.of(
                nb.id, new Receipt("tea", 2, "b"), nc.id, new Receipt("tea", 2, "c")));
    }

    @Test
    void reportsAReplyTheCallersCodecRefusesAsBadReply() {
        Rpc a = startAll(RpcConfig.defaults());
        Endpoint<String, Order> mismatched = Endpoint.of("echo", RpcCodec.utf8(), JsonCodec.of(Order.class));

        MulticallResult<Order> result = a.multicall(List.of(nb.id), mismatched, "not json", LONG_TIMEOUT);

        assertThat(result.badNodes()).singleElement().satisfies(bad -> assertThat(bad.reason()).isEqualTo(Reason.BAD_REPLY));
    }

    @Test
    void abcastReachesEveryMemberIncludingTheSenderInSendOrder() {
        // Given every node records what it gets on the news topic
        Rpc a = startAll(OVER_PLUMTREE);
        Map<NodeId, List<String>> got = subscribeAll(NEWS);

        // When a broadcasts 500 messages
        for (int i = 1; i <= 500; i++) {
            a.abcast(NEWS, "m" + i);
        }

        // Then each member, a included, got all of them once, in order
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            expected.add("m" + i);
        }
        await().atMost(PROMPTLY).until(() -> got.values().stream().allMatch(l -> l.size() >= 500));
        assertThat(got).allSatisfy((node, messages) -> assertThat(messages).isEqualTo(expected));
        assertThat(metersA.get("hyphae.rpc.abcast.sent").tag("stream", "all").counter().count()).isEqualTo(500);
    }

    @Test
    void abcastInASmallClusterGoesStraightToEachMemberNotOverTheBroadcast() {
        // Given a cluster under directAbcastMaxMembers whose broadcast layer delivers nothing
        Rpc a = startAll(RpcConfig.defaults());
        Map<NodeId, List<String>> got = subscribeAll(NEWS);
        fabric.holdBroadcasts();

        // When a abcasts 200 messages to all
        for (int i = 1; i <= 200; i++) {
            a.abcast(NEWS, "m" + i);
        }

        // Then every member still gets them all, in order, over direct casts
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            expected.add("m" + i);
        }
        await().atMost(PROMPTLY).until(() -> got.values().stream().allMatch(l -> l.size() >= 200));
        assertThat(got).allSatisfy((node, messages) -> assertThat(messages).isEqualTo(expected));
        assertThat(metersA.get("hyphae.rpc.abcast.sent").tag("stream", "direct").counter().count()).isEqualTo(200 * got.size());
    }

    @Test
    void castAndTargetedAbcastReachOnlyTheirTargetsInOrder() {
        Rpc a = startAll(RpcConfig.defaults());
        Map<NodeId, List<String>> got = subscribeAll(NEWS);

        a.cast(nb.id, NEWS, "1");
        a.abcast(List.of(na.id, nb.id), NEWS, "2");
        a.cast(nb.id, NEWS, "3");

        await().atMost(PROMPTLY).until(() -> got.get(nb.id).size() >= 3 && got.get(na.id).size() >= 1);
        assertThat(got.get(nb.id)).containsExactly("1", "2", "3");
        assertThat(got.get(na.id)).containsExactly("2");
        assertThat(got.get(nc.id)).isEmpty();
    }

    @Test
    void givesUpALostBroadcastAfterTheGapTimeoutAndDeliversTheRestInOrder() {
        // Given a short gap timeout and a broadcast layer that loses cast 2 of a
        Rpc a = startAll(OVER_PLUMTREE.withCastOrdering(64, Duration.ofMillis(200)));
        Map<NodeId, List<String>> got = subscribeAll(NEWS);
        fabric.holdBroadcasts();
        for (int i = 1; i <= 4; i++) {
            a.abcast(NEWS, "m" + i);
        }
        await().atMost(PROMPTLY).until(() -> fabric.heldFrames() == 8); // 4 broadcasts, to b and c
        fabric.releaseHeld(new java.util.Random(7), 0, cast -> cast.seq() == 2);

        // Then b and c give m2 up once the gap timeout passes and deliver the others in order
        await().atMost(PROMPTLY).until(() -> got.get(nb.id).size() >= 3 && got.get(nc.id).size() >= 3 && got.get(na.id).size() >= 4);
        assertThat(got.get(nb.id)).containsExactly("m1", "m3", "m4");
        assertThat(got.get(nc.id)).containsExactly("m1", "m3", "m4");
        assertThat(rpcMeters.get(nb).get("hyphae.rpc.abcast.skipped").counter().count()).isEqualTo(1);
        // and the sender's own share was never at risk
        assertThat(got.get(na.id)).containsExactly("m1", "m2", "m3", "m4");
    }

    @Test
    void keepsASendersBroadcastsAndDirectCastsInSendOrder() {
        // Given a broadcast layer slower than the direct links: broadcasts are held back
        Rpc a = startAll(OVER_PLUMTREE);
        Map<NodeId, List<String>> got = subscribeAll(NEWS);
        fabric.holdBroadcasts();

        // When a interleaves direct casts to b with broadcasts
        a.cast(nb.id, NEWS, "1");
        a.abcast(NEWS, "2");
        a.cast(nb.id, NEWS, "3");
        a.abcast(NEWS, "4");
        // and the direct casts arrive first (3 must wait for 2), then the broadcasts
        await().atMost(PROMPTLY).until(() -> got.get(nb.id).size() >= 1 && fabric.heldFrames() == 4); // 2 broadcasts, to b and c
        fabric.releaseHeld(new java.util.Random(1), 0);

        // Then b handles them in the order a sent them, and c gets the broadcasts alone
        await().atMost(PROMPTLY).until(() -> got.get(nb.id).size() >= 4 && got.get(nc.id).size() >= 2);
        assertThat(got.get(nb.id)).containsExactly("1", "2", "3", "4");
        assertThat(got.get(nc.id)).containsExactly("2", "4");
    }

    @Test
    void refusesASecondHandlerUnderOneNameUntilTheFirstIsClosed() {
        Rpc a = start(na, RpcConfig.defaults(), metersA);
        Endpoint<String, String> greet = Endpoint.of("greet", RpcCodec.utf8());
        Registration first = a.register(greet, (from, s) -> s);

        assertThatThrownBy(() -> a.subscribe(Topic.of("greet", RpcCodec.utf8()), (from, s) -> { }))
                .isInstanceOf(IllegalStateException.class);
        first.close();
        assertThat(a.multicall(List.of(na.id), greet, "x", LONG_TIMEOUT).badNodes())
                .singleElement().satisfies(bad -> assertThat(bad.reason()).isEqualTo(Reason.NO_SUCH_HANDLER));
    }

    @Test
    void runsHandlersOnTheHandlerPoolNeverOnTheIoThread() {
        Rpc a = startAll(RpcConfig.defaults());
        Endpoint<String, String> where = Endpoint.of("where", RpcCodec.utf8());
        rpcOf(nb).register(where, (from, s) -> Thread.currentThread().getName());

        assertThat(a.call(nb.id, where, "", LONG_TIMEOUT)).startsWith("hyphae-rpc-handler-");
    }

    @Test
    void answersOverloadedWhenASuppliedExecutorRefusesWork() {
        // Given b runs handlers on an executor that refuses everything
        Rpc a = start(na, RpcConfig.defaults(), metersA);
        MeterRegistry metersB = new SimpleMeterRegistry();
        start(nb, RpcConfig.defaults().withHandlerExecutor(task -> {
            throw new java.util.concurrent.RejectedExecutionException("saturated");
        }), metersB);

        MulticallResult<String> result = a.multicall(List.of(nb.id), ECHO, "x", LONG_TIMEOUT);

        assertThat(result.badNodes()).singleElement().satisfies(bad -> {
            assertThat(bad.reason()).isEqualTo(Reason.OVERLOADED);
            assertThat(bad.detail()).hasValueSatisfying(d -> assertThat(d).contains("queue full"));
        });
        assertThat(metersB.get("hyphae.rpc.handler.errors").tag("kind", "overloaded").counter().count()).isEqualTo(1);
    }

    @Test
    void keepsDeliveringInOrderAfterACastHandlerThrows() {
        Rpc a = startAll(RpcConfig.defaults());
        MeterRegistry metersB = rpcMeters.get(nb);
        List<String> got = new CopyOnWriteArrayList<>();
        rpcOf(nb).subscribe(NEWS, (from, m) -> {
            got.add(m);
            if (m.equals("2")) {
                throw new IllegalArgumentException("cannot take 2");
            }
        });

        a.cast(nb.id, NEWS, "1");
        a.cast(nb.id, NEWS, "2");
        a.cast(nb.id, NEWS, "3");

        await().atMost(PROMPTLY).until(() -> got.size() >= 3);
        assertThat(got).containsExactly("1", "2", "3");
        await().atMost(PROMPTLY).until(() -> metersB.get("hyphae.rpc.abcast.delivered").counter().count() == 3);
        assertThat(metersB.get("hyphae.rpc.handler.errors").tag("kind", "threw").counter().count()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ helpers

    private final Map<LoopbackFabric.Node, Rpc> rpcs = new ConcurrentHashMap<>();
    private final Map<LoopbackFabric.Node, MeterRegistry> rpcMeters = new ConcurrentHashMap<>();

    /** Starts all three with {@code config}, each serving echo, slow (slow only on b) and boom; returns a. */
    private Rpc startAll(RpcConfig config) {
        Rpc a = start(na, config, metersA);
        start(nb, config, new SimpleMeterRegistry());
        start(nc, config, new SimpleMeterRegistry());
        return a;
    }

    private Rpc start(LoopbackFabric.Node node, RpcConfig config, MeterRegistry meters) {
        Rpc rpc = Rpc.create(node, node, config, meters);
        started.add(rpc);
        rpcs.put(node, rpc);
        rpcMeters.put(node, meters);
        rpc.register(ECHO, (from, s) -> node.id.name() + ":" + s);
        if (node == nb) {
            rpc.register(SLOW, (from, s) -> {
                slowEntered.countDown();
                release.await(LONG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return s;
            });
        } else {
            rpc.register(SLOW, (from, s) -> s);
        }
        rpc.register(BOOM, (from, s) -> {
            throw new IllegalStateException("disk on fire");
        });
        return rpc;
    }

    private Rpc rpcOf(LoopbackFabric.Node node) {
        return rpcs.get(node);
    }

    private Map<NodeId, List<String>> subscribeAll(Topic<String> topic) {
        Map<NodeId, List<String>> got = new ConcurrentHashMap<>();
        rpcs.forEach((node, rpc) -> {
            List<String> list = new CopyOnWriteArrayList<>();
            got.put(node.id, list);
            rpc.subscribe(topic, (from, m) -> list.add(m));
        });
        return got;
    }

    private static double badNodes(MeterRegistry meters, Reason reason) {
        return meters.get("hyphae.rpc.multicall.bad.nodes").tag("reason", reason.name().toLowerCase()).counter().count();
    }
}
