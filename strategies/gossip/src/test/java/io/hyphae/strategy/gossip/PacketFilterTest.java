package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trust decisions on one datagram, with time handed in: no sockets. */
class PacketFilterTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("the-cluster-secret-0123");
    private static final NodeId SELF = new NodeId("self", new HostAndPort("10.0.0.1", 7000), 5);
    private static final NodeId PEER = new NodeId("peer", new HostAndPort("10.0.0.2", 7000), 9);
    private static final long NOW = 1_700_000_000_000L;

    private final PacketFilter filter = new PacketFilter("c", SELF, Optional.of(SECRET), Duration.ofSeconds(10), 100);

    private static byte[] heartbeat(String cluster, NodeId sender, long ts, Nonce nonce, Optional<ClusterSecret> secret) {
        return GossipPacketCodec.encode(new GossipPacket.Heartbeat(cluster, sender, ts, nonce), secret);
    }

    private static RejectReason reason(Verdict v) {
        return v instanceof Verdict.Rejected r ? r.reason() : null;
    }

    @Test
    void acceptsAnAuthenticFreshPacketOnceAndDecodesItExactly() {
        Nonce nonce = new Nonce(1, 2);
        byte[] datagram = heartbeat("c", PEER, NOW - 9_000, nonce, Optional.of(SECRET));

        Verdict first = filter.check(datagram, NOW);

        assertThat(first).isEqualTo(new Verdict.Accepted(new GossipPacket.Heartbeat("c", PEER, NOW - 9_000, nonce)));
        assertThat(reason(filter.check(datagram, NOW + 1))).isEqualTo(RejectReason.REPLAYED);
    }

    @Test
    void leavingPacketsRoundTrip() {
        GossipPacket leaving = new GossipPacket.Leaving("c", PEER, NOW, new Nonce(3, 4));

        assertThat(filter.check(GossipPacketCodec.encode(leaving, Optional.of(SECRET)), NOW)).isEqualTo(new Verdict.Accepted(leaving));
    }

    @Test
    void refusesPacketWithWrongSecretOrNoMac() {
        assertThat(reason(filter.check(heartbeat("c", PEER, NOW, new Nonce(1, 1), Optional.of(ClusterSecret.of("some-other-secret-0123"))), NOW)))
                .isEqualTo(RejectReason.BAD_MAC);
        assertThat(reason(filter.check(heartbeat("c", PEER, NOW, new Nonce(1, 2), Optional.empty()), NOW)))
                .isEqualTo(RejectReason.BAD_MAC);
    }

    @Test
    void refusesAnyFlippedBitOfAnAuthenticPacket() {
        byte[] good = heartbeat("c", PEER, NOW, new Nonce(7, 7), Optional.of(SECRET));
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertThat(filter.check(bad, NOW)).as("bit flipped in byte %d", i).isInstanceOf(Verdict.Rejected.class);
        }
    }

    @Test
    void refusesOtherClusterBeforeCheckingTheMac() {
        byte[] theirs = heartbeat("d", PEER, NOW, new Nonce(1, 3), Optional.of(ClusterSecret.of("their-own-secret-01234")));

        assertThat(reason(filter.check(theirs, NOW))).isEqualTo(RejectReason.WRONG_CLUSTER);
    }

    @Test
    void recognisesOwnPacketsEvenFromAnEarlierIncarnation() {
        NodeId earlierSelf = new NodeId(SELF.name(), SELF.address(), SELF.incarnation() - 1);

        assertThat(reason(filter.check(heartbeat("c", SELF, NOW, new Nonce(2, 1), Optional.of(SECRET)), NOW))).isEqualTo(RejectReason.OWN);
        assertThat(reason(filter.check(heartbeat("c", earlierSelf, NOW, new Nonce(2, 2), Optional.of(SECRET)), NOW))).isEqualTo(RejectReason.OWN);
    }

    @Test
    void refusesTimestampsOutsideTheSkewEitherWay() {
        assertThat(reason(filter.check(heartbeat("c", PEER, NOW - 10_001, new Nonce(3, 1), Optional.of(SECRET)), NOW))).isEqualTo(RejectReason.STALE);
        assertThat(reason(filter.check(heartbeat("c", PEER, NOW + 10_001, new Nonce(3, 2), Optional.of(SECRET)), NOW))).isEqualTo(RejectReason.STALE);
        assertThat(filter.check(heartbeat("c", PEER, NOW + 10_000, new Nonce(3, 3), Optional.of(SECRET)), NOW)).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void insecureNodeAcceptsUnsignedPackets() {
        PacketFilter insecure = new PacketFilter("c", SELF, Optional.empty(), Duration.ofSeconds(10), 100);

        assertThat(insecure.check(heartbeat("c", PEER, NOW, new Nonce(4, 1), Optional.empty()), NOW)).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void refusesMalformedBytes() {
        assertThat(reason(filter.check(new byte[0], NOW))).isEqualTo(RejectReason.MALFORMED);
        byte[] good = heartbeat("c", PEER, NOW, new Nonce(5, 1), Optional.of(SECRET));
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThat(reason(filter.check(trailing, NOW))).isEqualTo(RejectReason.MALFORMED);
    }
}
