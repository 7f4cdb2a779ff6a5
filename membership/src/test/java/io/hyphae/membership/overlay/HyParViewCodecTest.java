package io.hyphae.membership.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

class HyParViewCodecTest {

    private final HyParViewCodec codec = new HyParViewCodec();

    @Provide
    Arbitrary<NodeId> nodeIds() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> hosts = Arbitraries.of("10.0.0.1", "::1", "node-3.cluster.local");
        Arbitrary<Integer> ports = Arbitraries.integers().between(0, 65535);
        Arbitrary<Long> incarnations = Arbitraries.longs();
        return Combinators.combine(names, hosts, ports, incarnations)
                .as((n, h, p, i) -> new NodeId(n, new HostAndPort(h, p), i));
    }

    @Provide
    Arbitrary<HyParViewMessage> messages() {
        Arbitrary<NodeId> ids = nodeIds();
        Arbitrary<Integer> ttls = Arbitraries.integers().between(0, HyParViewCodec.MAX_TTL);
        Arbitrary<List<NodeId>> lists = ids.list().ofMaxSize(12);
        return Arbitraries.oneOf(
                Arbitraries.just(new HyParViewMessage.Join()),
                Combinators.combine(ids, ttls).as(HyParViewMessage.ForwardJoin::new),
                Arbitraries.of(true, false).map(HyParViewMessage.Neighbor::new),
                Arbitraries.of(true, false).map(HyParViewMessage.NeighborReply::new),
                Arbitraries.of(true, false).map(HyParViewMessage.Disconnect::new),
                Combinators.combine(ids, ttls, lists).as(HyParViewMessage.Shuffle::new),
                lists.map(HyParViewMessage.ShuffleReply::new));
    }

    @Property(tries = 300)
    void everyMessageSurvivesARoundTrip(@ForAll("messages") HyParViewMessage message) throws MalformedFrameException {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(message, buf);
        assertThat(codec.decode(buf, WireLimits.DEFAULT)).isEqualTo(message);
    }

    @Property(tries = 200)
    void everyTruncationIsRejectedAsMalformed(@ForAll("messages") HyParViewMessage message) {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(message, buf);
        for (int len = 0; len < buf.readableBytes(); len++) {
            ByteBuf cut = buf.slice(0, len);
            assertThatThrownBy(() -> codec.decode(cut, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
        }
    }

    @Example
    void rejectsTrailingBytesUnknownTypesAndOtherVersions() {
        ByteBuf trailing = Unpooled.buffer();
        codec.encode(new HyParViewMessage.Join(), trailing);
        trailing.writeByte(0);
        assertThatThrownBy(() -> codec.decode(trailing, WireLimits.DEFAULT)).hasMessageContaining("unexpected");

        ByteBuf unknown = Unpooled.wrappedBuffer(new byte[] {HyParViewCodec.VERSION, 99});
        assertThatThrownBy(() -> codec.decode(unknown, WireLimits.DEFAULT)).hasMessageContaining("unknown");

        ByteBuf version = Unpooled.wrappedBuffer(new byte[] {7, 1});
        assertThatThrownBy(() -> codec.decode(version, WireLimits.DEFAULT)).hasMessageContaining("version");
    }

    @Example
    void rejectsANodeCountOverTheLimitBeforeAllocating() {
        // Given a SHUFFLE_REPLY that claims a billion nodes in a few bytes
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(HyParViewCodec.VERSION);
        buf.writeByte(7);
        buf.writeInt(1_000_000_000);

        // Then it is refused on the count alone
        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("1000000000");
        ByteBuf justOver = Unpooled.buffer();
        justOver.writeByte(HyParViewCodec.VERSION);
        justOver.writeByte(7);
        justOver.writeInt(HyParViewCodec.MAX_NODES + 1);
        assertThatThrownBy(() -> codec.decode(justOver, WireLimits.DEFAULT)).hasMessageContaining("over " + HyParViewCodec.MAX_NODES);
    }

    @Example
    void namesEveryTypeAsThePaperDoes() {
        assertThat(codec.typeName(new HyParViewMessage.ForwardJoin(new NodeId("a", new HostAndPort("h", 1), 1), 3)))
                .isEqualTo("FORWARD_JOIN");
        assertThat(codec.typeName(new HyParViewMessage.ShuffleReply(List.of()))).isEqualTo("SHUFFLE_REPLY");
        assertThat(codec.protocolId()).isEqualTo((byte) 1);
    }
}
