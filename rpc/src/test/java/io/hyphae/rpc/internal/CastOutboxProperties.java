package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.spi.Messaging.SendOutcome;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The outbox batches one turn's direct casts per receiver. Whatever the mix of casts, sizes and
 * other frames in between, each receiver must get every cast exactly once, in the order added,
 * in frames within the batch limits, and never after a later frame to it.
 */
class CastOutboxProperties {

    private static final NodeId ORIGIN = node("origin");
    private static final List<NodeId> RECEIVERS = List.of(node("r0"), node("r1"), node("r2"));

    /** One step of a turn: a cast to a receiver, another frame to it, the receiver forgotten (it left), or the end of the turn. */
    private record Step(int kind, int receiver, int payloadBytes) {
        static final int CAST = 0;
        static final int OTHER_FRAME = 1;
        static final int END_OF_TURN = 2;
        static final int FORGET = 3;
    }

    @Property(tries = 300)
    void eachReceiverGetsEveryCastOnceInOrderWithinTheLimits(@ForAll("steps") List<Step> steps) {
        // Given an outbox over a port that records every frame per receiver
        Map<NodeId, List<RpcMessage>> sent = new HashMap<>();
        CastOutbox outbox = new CastOutbox((to, m) -> {
            sent.computeIfAbsent(to, k -> new ArrayList<>()).add(m);
            return SendOutcome.ACCEPTED;
        }, (to, n) -> {
            throw new AssertionError("nothing is unreachable here");
        });

        // When the steps run, each receiver's casts numbered 1, 2, 3, … as the RPC node does
        Map<NodeId, List<RpcMessage>> expected = new HashMap<>();
        Map<NodeId, Long> seq = new HashMap<>();
        for (Step s : steps) {
            NodeId to = RECEIVERS.get(s.receiver());
            switch (s.kind()) {
                case Step.CAST -> {
                    DirectCast c = new DirectCast(ORIGIN, to.incarnation(), seq.merge(to, 1L, Long::sum), 0, "t", new byte[s.payloadBytes()]);
                    expected.computeIfAbsent(to, k -> new ArrayList<>()).add(c);
                    outbox.add(outbox.batchFor(to), c);
                }
                case Step.OTHER_FRAME -> {
                    RpcMessage reply = new RpcMessage.Reply(s.payloadBytes(), new byte[0]);
                    expected.computeIfAbsent(to, k -> new ArrayList<>()).add(reply);
                    outbox.flush(to);
                    sent.computeIfAbsent(to, k -> new ArrayList<>()).add(reply);
                }
                case Step.FORGET -> outbox.forget(to);
                default -> outbox.flushAll();
            }
        }
        outbox.flushAll();

        // Then, batches unpacked, each receiver's frames are exactly what it was sent, in order
        for (NodeId to : RECEIVERS) {
            List<RpcMessage> unpacked = new ArrayList<>();
            for (RpcMessage m : sent.getOrDefault(to, List.of())) {
                if (m instanceof CastBatch b) {
                    assertThat(b.casts()).hasSizeBetween(2, CastOutbox.MAX_CASTS);
                    int bytes = b.casts().stream().mapToInt(c -> c.payload().length).sum();
                    // a batch passes MAX_BYTES only by the one cast that started it
                    assertThat(bytes - b.casts().get(0).payload().length).isLessThanOrEqualTo(CastOutbox.MAX_BYTES);
                    unpacked.addAll(b.casts());
                } else {
                    unpacked.add(m);
                }
            }
            assertThat(unpacked).isEqualTo(expected.getOrDefault(to, List.of()));
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // Mostly to one receiver, and turns of hundreds of steps, so batches fill to MAX_CASTS;
        // some big payloads, so they also fill to MAX_BYTES.
        Arbitrary<Integer> receiver = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(0)), Tuple.of(2, Arbitraries.integers().between(1, 2)));
        Arbitrary<Step> cast = Combinators.combine(receiver,
                        Arbitraries.frequencyOf(
                                Tuple.of(4, Arbitraries.integers().between(0, 64)),
                                Tuple.of(2, Arbitraries.integers().between(1_000, 20_000))))
                .as((r, bytes) -> new Step(Step.CAST, r, bytes));
        Arbitrary<Step> other = Arbitraries.integers().between(0, 2).map(r -> new Step(Step.OTHER_FRAME, r, 7));
        Arbitrary<Step> end = Arbitraries.just(new Step(Step.END_OF_TURN, 0, 0));
        Arbitrary<Step> forget = Arbitraries.integers().between(0, 2).map(r -> new Step(Step.FORGET, r, 0));
        return Arbitraries.frequencyOf(
                        Tuple.of(994, cast),
                        Tuple.of(3, other),
                        Tuple.of(2, end),
                        Tuple.of(1, forget))
                .list().ofMaxSize(1200);
    }

    private static NodeId node(String name) {
        return new NodeId(name, new HostAndPort("127.0.0.1", 7000), 1);
    }
}
