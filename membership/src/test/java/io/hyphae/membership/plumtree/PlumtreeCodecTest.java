package io.hyphae.membership.plumtree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.plumtree.PlumtreeMessage.Announcement;
import io.hyphae.membership.plumtree.PlumtreeMessage.Gossip;
import io.hyphae.membership.plumtree.PlumtreeMessage.Graft;
import io.hyphae.membership.plumtree.PlumtreeMessage.IHave;
import io.hyphae.membership.plumtree.PlumtreeMessage.Prune;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PlumtreeCodecTest {

    static final NodeId ORIGIN = new NodeId("node-é", new HostAndPort("::1", 7946), 1_700_000_000_000_000L);
    static final MessageId ID = new MessageId(ORIGIN, 42);
    final PlumtreeCodec codec = new PlumtreeCodec();

    static List<PlumtreeMessage> messages() {
        return List.of(
                new Gossip(ID, 3, 65535, new byte[] {1, 2, 3}),
                new Gossip(ID, 1, 0, new byte[0]),
                new IHave(List.of(new Announcement(ID, 2), new Announcement(new MessageId(ORIGIN, 43), 7))),
                new Graft(Optional.of(ID), 5),
                new Graft(Optional.empty(), 2),
                new Prune());
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessageSurvivesARoundTrip(PlumtreeMessage m) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(m, buf);

        assertThat(codec.decode(buf, WireLimits.DEFAULT)).isEqualTo(m);
    }

    @Test
    void typeNamesAreThePaperNames() {
        assertThat(messages()).extracting(codec::typeName).containsExactly("GOSSIP", "GOSSIP", "IHAVE", "GRAFT", "GRAFT", "PRUNE");
        assertThat(codec.protocolId()).isEqualTo((byte) 2);
    }

    @Test
    void truncatedFrameIsRejected() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new Gossip(ID, 3, 1, new byte[] {1, 2, 3}), buf);
        ByteBuf cut = buf.slice(0, buf.readableBytes() - 1);

        assertThatThrownBy(() -> codec.decode(cut, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("truncated");
    }

    @Test
    void trailingBytesAreRejected() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new Prune(), buf);
        buf.writeByte(0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void unknownTypeIsRejected() {
        assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(new byte[] {9}), WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("unknown");
    }

    @Test
    void roundBelowOneIsRejectedAsMalformedNotAsACrash() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new Graft(Optional.of(ID), 5), buf);
        buf.setInt(buf.writerIndex() - 4, 0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("round");
    }

    @Test
    void ihaveCountOverTheLimitIsRejectedBeforeReadingEntries() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(2);
        buf.writeInt(1_000_000);

        assertThatThrownBy(() -> codec.decode(buf, new WireLimits(1024, 255, 100)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("collection size");
    }

    @Test
    void emptyIHaveIsRejected() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(2);
        buf.writeInt(0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
    }
}
