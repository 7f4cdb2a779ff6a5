package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RPC node keeps its state on one loop thread and takes no lock: many user threads calling
 * and casting at once must each get exactly their own answers, and each thread's casts must
 * arrive once, in that thread's order, with every count exact.
 */
class ConcurrentCallersTest {

    private static final Endpoint<String, String> ECHO = Endpoint.of("echo", RpcCodec.utf8());
    private static final Topic<String> SEQ = Topic.of("seq", RpcCodec.utf8());
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int THREADS = 16;

    private final LoopbackFabric fabric = new LoopbackFabric();
    private final List<Rpc> rpcs = new ArrayList<>();
    private final ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    private final MeterRegistry metersA = new SimpleMeterRegistry();

    @BeforeEach
    void threeNodes() {
        for (String name : List.of("a", "b", "c")) {
            LoopbackFabric.Node n = fabric.join(name);
            Rpc rpc = Rpc.create(n, n, RpcConfig.defaults(), name.equals("a") ? metersA : new SimpleMeterRegistry());
            rpc.register(ECHO, (from, s) -> rpc.self().name() + ":" + s);
            rpcs.add(rpc);
        }
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
        rpcs.forEach(Rpc::close);
        fabric.close();
    }

    @Test
    void manyThreadsCallingAtOnceEachGetTheirOwnReplies() throws Exception {
        // Given 16 threads on node a, released together
        Rpc a = rpcs.get(0);
        int perThread = 300;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(callers.submit(() -> {
                start.await();
                int exact = 0;
                // When each makes 300 multicalls (sync and async mixed) with a payload of its own
                for (int i = 0; i < perThread; i++) {
                    String payload = thread + "/" + i;
                    MulticallResult<String> r = i % 2 == 0
                            ? a.multicall(ECHO, payload, TIMEOUT)
                            : a.multicallAsync(ECHO, payload, TIMEOUT).get(20, TimeUnit.SECONDS);
                    // Then every member replied with exactly this call's payload
                    assertThat(r.badNodes()).isEmpty();
                    assertThat(r.replies()).hasSize(3);
                    r.replies().forEach((node, reply) -> assertThat(reply).isEqualTo(node.name() + ":" + payload));
                    exact++;
                }
                return exact;
            }));
        }
        start.countDown();
        for (Future<Integer> f : done) {
            assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(perThread);
        }
        // and the outstanding count went back to zero
        await().atMost(Duration.ofSeconds(10)).until(() ->
                metersA.get("hyphae.rpc.multicall.outstanding").gauge().value() == 0.0);
    }

    @Test
    void manyThreadsCastingAtOnceKeepEachThreadsOrderWithNothingLostOrDoubled() throws Exception {
        // Given receivers recording, per sending thread, the numbers they got
        Map<NodeId, Map<String, List<Integer>>> got = new ConcurrentHashMap<>();
        for (Rpc rpc : rpcs) {
            Map<String, List<Integer>> byThread = new ConcurrentHashMap<>();
            got.put(rpc.self(), byThread);
            rpc.subscribe(SEQ, (from, m) -> {
                String[] parts = m.split("/");
                byThread.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
            });
        }
        Rpc a = rpcs.get(0);
        NodeId b = rpcs.get(1).self();
        int perThread = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        // When 16 threads on a each send 2,000 casts at once, alternating abcast to all and cast to b
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(callers.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    if (i % 2 == 0) {
                        a.abcast(SEQ, thread + "/" + i);
                    } else {
                        a.cast(b, SEQ, thread + "/" + i);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }

        // Then every receiver gets each thread's casts once and in that thread's order:
        // b all of them, a and c the abcasts
        List<Integer> all = new ArrayList<>();
        List<Integer> even = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
            all.add(i);
            if (i % 2 == 0) {
                even.add(i);
            }
        }
        for (Rpc rpc : rpcs) {
            List<Integer> want = rpc.self().equals(b) ? all : even;
            Map<String, List<Integer>> byThread = got.get(rpc.self());
            await().atMost(Duration.ofSeconds(30)).until(() -> byThread.size() == THREADS
                    && byThread.values().stream().allMatch(l -> l.size() >= want.size()));
            for (int t = 0; t < THREADS; t++) {
                assertThat(byThread.get(Integer.toString(t))).as("thread %d's casts at %s", t, rpc.self().name()).isEqualTo(want);
            }
        }
    }
}
