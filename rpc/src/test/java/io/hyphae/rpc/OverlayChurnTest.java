package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RPC traffic survives the overlay dropping the link it runs on. Three real nodes (Netty on
 * 127.0.0.1, one JVM) with an active view of one: when c joins through b, b's HyParView drops a
 * (DISCONNECT) to make room, while a streams calls and casts to b over that link. The link has
 * two users; the overlay letting go of it must neither close it under RPC nor lose a frame.
 */
class OverlayChurnTest {

    private static final String SECRET = "overlay-churn-test-secret-0123456789";
    private static final Endpoint<String, String> ECHO = Endpoint.of("echo", RpcCodec.utf8());
    private static final Topic<String> SEQ = Topic.of("seq", RpcCodec.utf8());
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final TransportResources resources = TransportResources.create(2);
    private final List<Rpc> started = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    @AfterEach
    void stopAll() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(CALL_TIMEOUT.toMillis() + 5_000);
        }
        started.forEach(Rpc::close);
        resources.close();
    }

    private Rpc start(String name, HostAndPort bind, MeterRegistry meters, List<HostAndPort> seeds) {
        HyphaeConfig config = HyphaeConfig.builder()
                .cluster(c -> c.name("overlay-churn").secret(SECRET))
                .node(n -> n.name(name).bind(bind.toString()))
                .discovery("static", d -> d.set("seeds", seeds.stream().map(HostAndPort::toString).toList()))
                .overlay(o -> o.activeViewSize(1).shuffleActive(1))
                .build();
        Rpc rpc = Rpc.start(config, RpcConfig.defaults(), meters, resources);
        started.add(rpc);
        return rpc;
    }

    /** A port free now, for b, whose address the others are seeded with before it starts. */
    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Thread loop(String name, Runnable body) {
        Thread t = new Thread(() -> {
            while (!stop) {
                body.run();
            }
        }, name);
        threads.add(t);
        t.start();
        return t;
    }

    private static double count(MeterRegistry meters, String name, String type) {
        return meters.find(name).tag("type", type).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void noCallTimesOutAndNoCastIsLostWhenTheOverlayDropsTheLinkMidStream() {
        // Given a and b, neighbours in an overlay whose active view holds one node
        MeterRegistry metersA = new SimpleMeterRegistry();
        MeterRegistry metersB = new SimpleMeterRegistry();
        HostAndPort bAddress = new HostAndPort("127.0.0.1", freePort());
        Rpc b = start("b", bAddress, metersB, List.of(bAddress));
        Rpc a = start("a", new HostAndPort("127.0.0.1", 0), metersA, List.of(bAddress));
        b.register(ECHO, (from, q) -> q);
        List<String> casts = new CopyOnWriteArrayList<>();
        b.subscribe(SEQ, (from, m) -> {
            casts.add(m);
            synchronized (casts) {
                casts.notifyAll();
            }
        });
        NodeId bId = b.node().self();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().liveMembers().contains(bId)
                && a.node().activeView().contains(bId));

        // ... and a streaming calls (four callers) and numbered casts to b
        AtomicInteger callsDone = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            loop("caller-" + i, () -> {
                MulticallResult<String> r = a.multicall(List.of(bId), ECHO, "ping", CALL_TIMEOUT);
                if (!r.badNodes().isEmpty()) {
                    failures.addAll(r.badNodes().stream().map(BadNode::toString).toList());
                }
                callsDone.incrementAndGet();
            });
        }
        AtomicLong castsSent = new AtomicLong();
        loop("caster", () -> {
            synchronized (casts) { // a short queue: frames in flight, not backpressure
                while (!stop && castsSent.get() - casts.size() >= 2_000) {
                    try {
                        casts.wait(100); // woken by every delivery; the timeout only rechecks stop
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            a.cast(bId, SEQ, Long.toString(castsSent.getAndIncrement()));
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> callsDone.get() > 200 && casts.size() > 1_000);

        // When c joins through b, and b's overlay drops a to make room
        start("c", new HostAndPort("127.0.0.1", 0), new SimpleMeterRegistry(), List.of(bAddress));
        await().atMost(Duration.ofSeconds(30)).until(() -> count(metersA, "hyphae.transport.frames.in", "DISCONNECT") >= 1);
        // ... and the streams run on for well past the moment the overlay is done with the link
        long disconnectedAt = System.nanoTime();
        int callsAtDisconnect = callsDone.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> System.nanoTime() - disconnectedAt > Duration.ofSeconds(4).toNanos()
                && callsDone.get() > callsAtDisconnect + 200);
        stop = true;

        // Then no call failed on b, a live node, and b got every cast, once and in order
        await().atMost(CALL_TIMEOUT.plusSeconds(5)).until(() -> threads.stream().noneMatch(Thread::isAlive));
        assertThat(failures).isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> casts.size() >= castsSent.get());
        List<String> expected = new ArrayList<>();
        for (long i = 0; i < castsSent.get(); i++) {
            expected.add(Long.toString(i));
        }
        assertThat(casts).containsExactlyElementsOf(expected);
    }
}
