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
import java.util.Optional;
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
                new Sync(Optional.empty(), Optional.of(MemberKey.of(B)), List.of(new Member(A, MemberStatus.ALIVE, 1))),
                new Sync(Optional.of(MemberKey.of(A)), Optional.empty(), List.of()),
                new SyncReply(List.of(new Member(A, MemberStatus.LEFT, 9), new Member(B, MemberStatus.DOWN, 2))));
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
        codec.encode(new SyncReply(List.of(new Member(A, MemberStatus.ALIVE, 1))), buf);
        buf.setByte(buf.writerIndex() - 9, 77);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("status");
    }

    @Test
    void versionBelowOneIsRejectedAsMalformed() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new SyncReply(List.of(new Member(A, MemberStatus.ALIVE, 1))), buf);
        buf.setLong(buf.writerIndex() - 8, 0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT)).isInstanceOf(MalformedFrameException.class);
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
