package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * abcast and cast through the whole RPC layer when the broadcast underneath reorders and
 * duplicates and is slower than the direct links: every receiver must hand each cast to its
 * handler exactly once (nothing is lost here), and each sender's casts in the order sent,
 * broadcasts and direct casts together.
 */
class AbcastOrderProperties {

    private static final Topic<String> TOPIC = Topic.of("seq", RpcCodec.utf8());

    @Property(tries = 25)
    void everyReceiverGetsEachCastOnceInEachSendersOrder(
            @ForAll @IntRange(min = 1, max = 150) int perSender,
            @ForAll @IntRange(min = 0, max = 100) int duplicatePercent,
            @ForAll @IntRange(min = 0, max = 60) int directPercent,
            @ForAll long seed) {
        try (LoopbackFabric fabric = new LoopbackFabric()) {
            // Given three members, two of which broadcast, over a fabric that holds broadcasts
            List<LoopbackFabric.Node> nodes = List.of(fabric.join("a"), fabric.join("b"), fabric.join("c"));
            RpcConfig config = RpcConfig.defaults().withCastOrdering(4096, Duration.ofSeconds(60)).withDirectAbcastMaxMembers(0);
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

            // When a and b each send 1..n, interleaved, most as abcast, some cast straight to one node
            Random random = new Random(seed);
            Map<String, Map<String, List<Integer>>> expected = new HashMap<>(); // receiver -> origin -> numbers
            int directsToOthers = 0;
            int broadcasts = 0;
            for (int i = 1; i <= perSender; i++) {
                for (int s = 0; s < 2; s++) {
                    LoopbackFabric.Node sender = nodes.get(s);
                    Rpc rpc = rpcs.get(sender.id);
                    if (random.nextInt(100) < directPercent) {
                        LoopbackFabric.Node target = nodes.get(random.nextInt(nodes.size()));
                        rpc.cast(target.id, TOPIC, Integer.toString(i));
                        expect(expected, target, sender, i);
                        directsToOthers += target == sender ? 0 : 1;
                    } else {
                        rpc.abcast(TOPIC, Integer.toString(i));
                        broadcasts++;
                        for (LoopbackFabric.Node n : nodes) {
                            expect(expected, n, sender, i);
                        }
                    }
                }
            }
            // and the broadcast layer delivers every broadcast shuffled, some twice, after the direct casts
            int directs = directsToOthers;
            int broadcastFrames = broadcasts * (nodes.size() - 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().mapToInt(n -> n.castsIn.get()).sum() == directs
                    && fabric.heldFrames() == broadcastFrames);
            fabric.releaseHeld(random, duplicatePercent);

            // Then every cast a receiver got is a distinct cast addressed to it, or counted as a
            // duplicate (awaited: the RPC loop takes the released frames after this thread hands them over)
            for (LoopbackFabric.Node n : nodes) {
                long fromOthers = expected.getOrDefault(n.id.name(), Map.of()).entrySet().stream()
                        .filter(e -> !e.getKey().equals(n.id.name())).mapToLong(e -> e.getValue().size()).sum();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    double duplicates = meters.get(n.id).find("hyphae.rpc.abcast.dropped").tag("reason", "duplicate")
                            .counters().stream().mapToDouble(c -> c.count()).sum();
                    assertThat(n.castsIn.get() - duplicates).isEqualTo((double) fromOthers);
                });
            }

            // and each receiver, the senders included, handles each sender's casts once, in send order
            await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch(n -> {
                Map<String, List<Integer>> want = expected.getOrDefault(n.id.name(), Map.of());
                return want.entrySet().stream().allMatch(e -> sizeOf(got.get(n.id), e.getKey()) >= e.getValue().size());
            }));
            for (LoopbackFabric.Node n : nodes) {
                Map<String, List<Integer>> want = expected.getOrDefault(n.id.name(), Map.of());
                for (String origin : List.of("a", "b")) {
                    assertThat(got.get(n.id).getOrDefault(origin, List.of()))
                            .as("%s's casts at %s", origin, n.id.name())
                            .isEqualTo(want.getOrDefault(origin, List.of()));
                }
                // and nothing was given up
                assertThat(meters.get(n.id).get("hyphae.rpc.abcast.skipped").counter().count()).isZero();
            }
            rpcs.values().forEach(Rpc::close);
        }
    }

    private static void expect(Map<String, Map<String, List<Integer>>> expected, LoopbackFabric.Node receiver,
            LoopbackFabric.Node sender, int i) {
        expected.computeIfAbsent(receiver.id.name(), k -> new HashMap<>())
                .computeIfAbsent(sender.id.name(), k -> new ArrayList<>()).add(i);
    }

    private static int sizeOf(Map<String, List<Integer>> byOrigin, String origin) {
        List<Integer> l = byOrigin.get(origin);
        return l == null ? 0 : l.size();
    }
}
