package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A direct cast numbered for a receiver's previous incarnation, read after that receiver
 * rejoined in place (sent during a freeze, say): the sender numbers its casts to the new
 * incarnation from 1, so the old number means nothing there and the cast must not be handed on.
 */
class StaleDirectCastTest {

    private static final Topic<String> NEWS = Topic.of("news", RpcCodec.utf8());
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final LoopbackFabric fabric = new LoopbackFabric();
    private final LoopbackFabric.Node na = fabric.join("a");
    private final LoopbackFabric.Node nb = fabric.join("b");
    private final MeterRegistry metersB = new SimpleMeterRegistry();
    private final Rpc a = Rpc.create(na, na, RpcConfig.defaults(), new SimpleMeterRegistry());
    private final Rpc b = Rpc.create(nb, nb, RpcConfig.defaults(), metersB);
    private final Queue<String> atB = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() {
        a.close();
        b.close();
        fabric.close();
    }

    private static DirectCast cast(NodeId from, NodeId to, long seq, String text) {
        return new DirectCast(from, to.incarnation(), seq, 0, NEWS.name(), text.getBytes(StandardCharsets.UTF_8));
    }

    private double droppedAsWrongReceiver() {
        var counter = metersB.find("hyphae.rpc.abcast.dropped").tag("reason", "wrong_receiver").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aDirectCastNumberedForTheReceiversOldIncarnationIsDroppedAndCounted() {
        // Given b subscribed, and a's first direct cast to b delivered
        b.subscribe(NEWS, (sender, text) -> atB.add(text));
        a.abcast(Set.of(nb.id), NEWS, "first");
        await().atMost(WAIT).until(() -> atB.contains("first"));
        NodeId old = nb.self();

        // When b rejoins as its next incarnation, then reads a's second cast to its old
        // incarnation (alone, then two in a batch), then a's first cast to the new one
        NodeId renewed = nb.renewIncarnation();
        nb.receive(na.id, cast(na.id, old, 2, "stale"));
        nb.receive(na.id, new CastBatch(List.of(cast(na.id, old, 3, "stale"), cast(na.id, old, 4, "stale"))));
        nb.receive(na.id, cast(na.id, renewed, 1, "fresh"));

        // Then only the cast for the new incarnation is handed on; the three stale ones are counted
        await().atMost(WAIT).until(() -> atB.contains("fresh"));
        assertThat(droppedAsWrongReceiver()).isEqualTo(3);
        assertThat(List.copyOf(atB)).containsExactly("first", "fresh");
    }
}
