package io.hyphae.rpc.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.wire.RpcMessage.ErrorReply;
import io.hyphae.rpc.wire.RpcMessage.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RpcWireCodecTest {

    private final RpcWireCodec codec = new RpcWireCodec();

    @Test
    void usesTheFirstProtocolIdOutsideMembershipsReservedRange() {
        assertThat(codec.protocolId()).isEqualTo((byte) 16);
    }

    @Test
    void refusesAPayloadLongerThanTheFrameLimitBeforeAllocating() {
        // Given a request claiming a 2 GB payload
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(RpcWireCodec.VERSION).writeByte(1).writeLong(7);
        buf.writeShort(4).writeBytes("echo".getBytes(StandardCharsets.US_ASCII));
        buf.writeInt(Integer.MAX_VALUE);

        // Then decoding refuses it as malformed
        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("length");
    }

    @Test
    void refusesAnUnknownVersion() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new Request(1, "echo", new byte[0]), buf);
        buf.setByte(0, 9);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void refusesAnEmptyHandlerName() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(RpcWireCodec.VERSION).writeByte(1).writeLong(7).writeShort(0).writeInt(0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("handler name");
    }

    @Test
    void refusesTrailingBytes() {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new Request(1, "echo", new byte[] {1, 2}), buf);
        buf.writeByte(0);

        assertThatThrownBy(() -> codec.decode(buf, WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("unexpected");
    }

    @Test
    void cutsALongExceptionMessageSoTheErrorAlwaysFitsItsLimit() {
        // Given a handler exception message of 10,000 multi-byte characters
        String huge = "é".repeat(10_000);

        // When it becomes an error reply and travels
        ErrorReply e = ErrorReply.of(3, Reason.HANDLER_THREW, huge);
        ByteBuf buf = Unpooled.buffer();
        codec.encode(e, buf);
        ErrorReply decoded = (ErrorReply) assertDecodes(buf);

        // Then it is cut under the limit, marked as cut
        assertThat(decoded.detail().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(RpcMessage.MAX_DETAIL_BYTES);
        assertThat(decoded.detail()).startsWith("ééé").endsWith("...");
    }

    @Test
    void errorRepliesOnlyCarryReasonsARemoteNodeCanKnow() {
        assertThatThrownBy(() -> new ErrorReply(1, Reason.TIMED_OUT, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorReply(1, Reason.LEFT, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    private RpcMessage assertDecodes(ByteBuf buf) {
        try {
            return codec.decode(buf, WireLimits.DEFAULT);
        } catch (MalformedFrameException e) {
            throw new AssertionError(e);
        }
    }
}
