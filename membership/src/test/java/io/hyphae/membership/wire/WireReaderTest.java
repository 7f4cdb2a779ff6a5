package io.hyphae.membership.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class WireReaderTest {

    private static final WireLimits LIMITS = new WireLimits(4096, 300, 16);

    @Test
    void refusesMalformedUtf8InsteadOfReplacingIt() {
        // Given a string whose bytes are not UTF-8 (0xD1 starts a 2-byte sequence; 0xD1 cannot continue it)
        ByteBuf in = Unpooled.buffer().writeShort(4).writeBytes(new byte[] {(byte) 0xD1, (byte) 0xD1, (byte) 0xD1, (byte) 0xD1});

        // When it is read, Then it is refused rather than decoded to replacement characters
        assertThatThrownBy(() -> new WireReader(in, LIMITS).readString())
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void readsWhatTheWriterWrote() throws MalformedFrameException {
        NodeId id = new NodeId("nœud-1", new HostAndPort("::1", 7946), 42);
        ByteBuf buf = Unpooled.buffer();
        WireWriter.writeNodeId(buf, id);

        WireReader r = new WireReader(buf, LIMITS);
        assertThat(r.readNodeId()).isEqualTo(id);
        r.end();
    }

    @Test
    void theSameNodeDecodedTwiceIsOneSharedInstance() throws MalformedFrameException {
        NodeId id = new NodeId("shared", new HostAndPort("10.9.8.7", 7946), 5);
        ByteBuf buf = Unpooled.buffer();
        WireWriter.writeNodeId(buf, id);
        WireWriter.writeNodeId(buf, id);
        WireWriter.writeNodeId(buf, new NodeId("shared", new HostAndPort("10.9.8.7", 7946), 6));

        WireReader r = new WireReader(buf, LIMITS);
        NodeId first = r.readNodeId();
        NodeId second = r.readNodeId();
        NodeId nextIncarnation = r.readNodeId();

        assertThat(second).isSameAs(first);
        assertThat(nextIncarnation).isNotEqualTo(first);
    }

    @Test
    void skipsAStringOnlyWhenItIsExactlyTheBytesGiven() throws MalformedFrameException {
        // Given "topic" written pre-encoded, then a longer name sharing its first bytes, then a truncated one
        byte[] topic = "topic".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.buffer();
        WireWriter.writeUtf8(buf, topic);
        WireWriter.writeString(buf, "topics");
        buf.writeShort(5).writeBytes(new byte[] {'t', 'o'});

        WireReader r = new WireReader(buf, LIMITS);
        // Then the first is skipped; the second is left for readString, which reads it whole
        assertThat(r.skipString(topic)).isTrue();
        assertThat(r.skipString(topic)).isFalse();
        assertThat(r.readString()).isEqualTo("topics");
        // And the truncated one is not skipped: readString says what is wrong with it
        assertThat(r.skipString(topic)).isFalse();
        assertThatThrownBy(r::readString).isInstanceOf(MalformedFrameException.class).hasMessageContaining("truncated");
    }

    @Test
    void refusesACountOverTheLimitBeforeAllocating() {
        ByteBuf in = Unpooled.buffer().writeInt(17);
        assertThatThrownBy(() -> new WireReader(in, LIMITS).readCount())
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("outside 0..16");
    }

    @Test
    void refusesAByteArrayLongerThanTheBytesPresent() {
        ByteBuf in = Unpooled.buffer().writeInt(100).writeBytes(new byte[10]);
        assertThatThrownBy(() -> new WireReader(in, LIMITS).readBytes())
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("truncated");
    }
}
