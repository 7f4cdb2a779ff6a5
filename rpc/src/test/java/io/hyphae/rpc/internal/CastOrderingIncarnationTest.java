package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Broadcast;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import io.hyphae.rpc.wire.RpcMessage.DirectMark;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cast ordering across a rejoin in place: a node's next incarnation is a new origin that ends the old one. */
class CastOrderingIncarnationTest {

    private static final HostAndPort SENDER_ADDRESS = new HostAndPort("10.0.0.1", 7000);
    private static final NodeId OLD = new NodeId("sender", SENDER_ADDRESS, 1);
    private static final NodeId NEW = new NodeId("sender", SENDER_ADDRESS, 2);
    private static final NodeId ME = new NodeId("me", new HostAndPort("10.0.0.2", 7000), 1);
    private static final NodeId ME_AGAIN = new NodeId("me", new HostAndPort("10.0.0.2", 7000), 2);
    private static final long GAP = 1_000;

    private final List<String> drops = new ArrayList<>();
    private long skipped;
    private final CastOrdering ordering = new CastOrdering(DirectMark.keyOf(ME), 64, GAP, 16, new CastOrdering.Listener() {
        @Override
        public void dropped(CastOrdering.Drop why) {
            drops.add(why.name());
        }

        @Override
        public void skipped(long count) {
            skipped += count;
        }
    });

    private static Broadcast broadcast(NodeId origin, long seq) {
        return new Broadcast(origin, seq, List.of(), "t", new byte[] {(byte) seq});
    }

    private static DirectCast direct(NodeId origin, long seq, long afterBroadcast) {
        return new DirectCast(origin, ME.incarnation(), seq, afterBroadcast, "t", new byte[] {(byte) seq});
    }

    private static List<String> names(List<Cast> casts) {
        return casts.stream().map(c -> c.origin().incarnation() + ":" + (c instanceof Broadcast ? "b" : "d") + c.seq()).toList();
    }

    @Test
    void aNewIncarnationHandsOnWhatTheOldOneHeldFirstAndEndsIt() {
        // Given the old incarnation's broadcast 1 delivered and 3 held (2 is missing)
        assertThat(names(ordering.onCast(broadcast(OLD, 1), 0))).containsExactly("1:b1");
        assertThat(ordering.onCast(broadcast(OLD, 3), 1)).isEmpty();

        // When the new incarnation's first cast arrives (numbered from 1 again)
        List<Cast> out = ordering.onCast(broadcast(NEW, 1), 2);

        // Then the old one's held cast goes first (2 given up), then the new one's
        assertThat(names(out)).containsExactly("1:b3", "2:b1");
        assertThat(skipped).isEqualTo(1);
        // ... and what the old incarnation sends later is refused, not delivered after the new one's
        assertThat(ordering.onCast(broadcast(OLD, 2), 3)).isEmpty();
        assertThat(ordering.onCast(broadcast(OLD, 4), 3)).isEmpty();
        assertThat(drops).containsExactly("UNKNOWN_ORIGIN", "UNKNOWN_ORIGIN");
        assertThat(names(ordering.onCast(broadcast(NEW, 2), 4))).containsExactly("2:b2");
    }

    @Test
    void theOldIncarnationsDepartureDoesNotForgetTheNewOne() {
        // Given the new incarnation already casting when the old one's departure is known
        ordering.onCast(broadcast(OLD, 1), 0);
        ordering.onCast(broadcast(NEW, 1), 1);
        ordering.onOriginDown(OLD, 2);

        // When the grace period for the old one ends
        assertThat(ordering.onTick(2 + 2 * GAP)).isEmpty();

        // Then the new one's casts still go on in order, and none is refused
        assertThat(names(ordering.onCast(broadcast(NEW, 2), 3 + 2 * GAP))).containsExactly("2:b2");
        assertThat(drops).isEmpty();
    }

    @Test
    void afterThisNodeRejoinsTheOthersDirectCastsToItsNewIncarnationAreNumberedAfresh() {
        // Given three direct casts from a sender delivered to this node's first incarnation, and a fifth held
        for (long seq = 1; seq <= 3; seq++) {
            ordering.onCast(direct(OLD, seq, 0), seq);
        }
        assertThat(ordering.onCast(direct(OLD, 5, 0), 4)).isEmpty();

        // When this node rejoins as its next incarnation
        assertThat(ordering.onSelfRenewed(DirectMark.keyOf(ME_AGAIN))).isEmpty();

        // Then the direct cast held for the old incarnation is given up, and the sender's
        // direct casts to the new one, numbered from 1, are delivered, not taken for duplicates
        assertThat(skipped).isEqualTo(1);
        assertThat(names(ordering.onCast(direct(OLD, 1, 0), 5))).containsExactly("1:d1");
        assertThat(names(ordering.onCast(direct(OLD, 2, 0), 6))).containsExactly("1:d2");
        // ... and a broadcast marked for the new incarnation waits for the direct cast it names
        Broadcast marked = new Broadcast(OLD, 1, List.of(new DirectMark(DirectMark.keyOf(ME_AGAIN), 3)), "t", new byte[0]);
        assertThat(ordering.onCast(marked, 7)).isEmpty();
        assertThat(names(ordering.onCast(direct(OLD, 3, 0), 8))).containsExactly("1:d3", "1:b1");
        assertThat(drops).isEmpty();
    }
}
