package io.hyphae.membership.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DirectoryMessage.Sync;
import io.hyphae.membership.directory.DirectoryMessage.SyncReply;
import io.hyphae.membership.directory.DirectoryMessage.Update;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DirectoryCodecTest {

    static final NodeId A = new NodeId("a", new HostAndPort("10.0.0.1", 7946), 17);
    static final NodeId B = new NodeId("b", new HostAndPort("fe80::1", 1), 18);
    final DirectoryCodec codec = new DirectoryCodec();

    static List<DirectoryMessage> messages() {
        return List.of(
                new Update(List.of(new Member(A, MemberStatus.SUSPECT, 3))),
                new Sync(new long[] {-1L}),
                new Sync(new long[] {1, 2, Long.MIN_VALUE, 0}),
                new SyncReply(4, List.of(0, 3), List.of(new Member(A, MemberStatus.LEFT, 9), new Member(B, MemberStatus.DOWN, 2))),
                new SyncReply(1024, List.of(), List.of()));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessageSurvivesARoundTrip(DirectoryMessage m) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(m, buf);

        assertThat(codec.decode(buf, WireLimits.DEFAULT)).isEqualTo(m);
        assertThat(codec.protocolId()).isEqualTo((byte) 3);
    }

    @Test
    void unknownStatusIsRejected() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new SyncReply(1, List.of(0), List.of(new Member(A, MemberStatus.ALIVE, 1))), buf);
        buf.setByte(buf.writerIndex() - 9, 77);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("status");
    }

    @Test
    void versionBelowOneIsRejectedAsMalformed() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new SyncReply(1, List.of(0), List.of(new Member(A, MemberStatus.ALIVE, 1))), buf);
        buf.setLong(buf.writerIndex() - 8, 0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void digestWhoseSizeIsNotAPowerOfTwoIsRejected() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(2);
        buf.writeInt(3);
        buf.writeZero(24);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("digest size 3");
    }

    @Test
    void coveredBucketOutsideTheDigestIsRejected() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(3);
        buf.writeInt(4); // buckets
        buf.writeInt(1); // one covered bucket
        buf.writeShort(4); // out of range
        buf.writeInt(0); // no members

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void memberCountOverTheLimitIsRejectedBeforeReading() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(3);
        buf.writeInt(5000);

        assertThatThrownBy(() -> codec.decode(buf, new WireLimits(1024, 255, 1000)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("collection size");
    }

    @Test
    void truncatedAndTrailingBytesAreRejected() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(messages().get(1), buf);
        ByteBuf cut = buf.copy(0, buf.readableBytes() - 3);
        buf.writeByte(1);

        assertThatThrownBy(() -> codec.decode(cut, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
    }
}
