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
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * abcast through the whole RPC layer when the broadcast underneath reorders and duplicates:
 * every receiver must hand each cast to its handler exactly once (nothing is lost here), and
 * each sender's casts in the order sent.
 */
class AbcastOrderProperties {

    private static final Topic<String> TOPIC = Topic.of("seq", RpcCodec.utf8());

    @Property(tries = 25)
    void everyReceiverGetsEachCastOnceInEachSendersOrder(
            @ForAll @IntRange(min = 1, max = 150) int perSender,
            @ForAll @IntRange(min = 0, max = 100) int duplicatePercent,
            @ForAll long seed) {
        try (LoopbackFabric fabric = new LoopbackFabric()) {
            // Given three members, two of which broadcast, over a fabric that holds broadcasts
            List<LoopbackFabric.Node> nodes = List.of(fabric.join("a"), fabric.join("b"), fabric.join("c"));
            RpcConfig config = RpcConfig.defaults().withCastOrdering(4096, Duration.ofSeconds(60));
            Map<NodeId, Rpc> rpcs = new ConcurrentHashMap<>();
            Map<NodeId, MeterRegistry> meters = new ConcurrentHashMap<>();
            Map<NodeId, Map<String, List<Integer>>> got = new ConcurrentHashMap<>();
            for (LoopbackFabric.Node n : nodes) {
                MeterRegistry m = new SimpleMeterRegistry();
                Rpc rpc = Rpc.create(n, n, config, m);
                Map<String, List<Integer>> byOrigin = new ConcurrentHashMap<>();
                rpc.subscribe(TOPIC, (from, msg) -> byOrigin.computeIfAbsent(from.name(), k -> new CopyOnWriteArrayList<>())
                        .add(Integer.parseInt(msg)));
                rpcs.put(n.id, rpc);
                meters.put(n.id, m);
                got.put(n.id, byOrigin);
            }
            fabric.holdBroadcasts();

            // When a and b each abcast 1..n, interleaved
            Rpc a = rpcs.get(nodes.get(0).id);
            Rpc b = rpcs.get(nodes.get(1).id);
            for (int i = 1; i <= perSender; i++) {
                a.abcast(TOPIC, Integer.toString(i));
                b.abcast(TOPIC, Integer.toString(i));
            }
            // and the broadcast layer delivers every frame shuffled, some twice
            fabric.releaseHeld(new Random(seed), duplicatePercent);

            // Then every frame a receiver got was delivered once or counted as a duplicate
            for (LoopbackFabric.Node n : nodes) {
                double duplicates = meters.get(n.id).find("hyphae.rpc.abcast.dropped").tag("reason", "duplicate")
                        .counters().stream().mapToDouble(c -> c.count()).sum();
                int broadcastSenders = n.id.name().equals("c") ? 2 : 1; // its own casts are not broadcast back to it
                assertThat(n.framesIn.get() - duplicates).isEqualTo((double) broadcastSenders * perSender);
            }
            // and each receiver, the senders included, handles each sender's casts once, in order
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= perSender; i++) {
                expected.add(i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> got.values().stream()
                    .allMatch(byOrigin -> sizeOf(byOrigin, "a") >= perSender && sizeOf(byOrigin, "b") >= perSender));
            for (Map<String, List<Integer>> byOrigin : got.values()) {
                assertThat(byOrigin.get("a")).isEqualTo(expected);
                assertThat(byOrigin.get("b")).isEqualTo(expected);
            }
            rpcs.values().forEach(Rpc::close);
        }
    }

    private static int sizeOf(Map<String, List<Integer>> byOrigin, String origin) {
        List<Integer> l = byOrigin.get(origin);
        return l == null ? 0 : l.size();
    }
}
