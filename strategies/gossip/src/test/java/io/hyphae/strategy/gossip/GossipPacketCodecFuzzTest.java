package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.MalformedFrameException;
import java.time.Duration;
import java.util.Optional;

/**
 * Any bytes a network can deliver: the decoder either returns a packet that encodes back to the
 * same bytes (MAC aside) or throws {@link MalformedFrameException}, never anything else; and the
 * whole filter only ever answers with a verdict. Without JAZZER_FUZZ=1 this replays the checked-in
 * inputs under src/test/resources/io/hyphae/strategy/gossip/GossipPacketCodecFuzzTestInputs/.
 */
class GossipPacketCodecFuzzTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("fuzzing-secret-0123456789");
    private static final NodeId SELF = new NodeId("self", new HostAndPort("127.0.0.1", 7000), 1);

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] datagram) {
        GossipPacket packet;
        try {
            packet = GossipPacketCodec.decode(datagram);
        } catch (MalformedFrameException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        byte[] again = GossipPacketCodec.encode(packet, Optional.empty());
        int withoutMac = datagram.length - GossipPacketCodec.MAC_BYTES;
        assertThat(again).hasSize(datagram.length);
        assertThat(java.util.Arrays.equals(again, 0, withoutMac, datagram, 0, withoutMac)).as("re-encodes to the same bytes").isTrue();
    }

    @FuzzTest(maxDuration = "30s")
    void filter(byte[] datagram) {
        PacketFilter filter = new PacketFilter("c", SELF, Optional.of(SECRET), Duration.ofSeconds(10), 16);

        assertThat(filter.check(datagram, 1_700_000_000_000L)).isNotNull();
    }
}
