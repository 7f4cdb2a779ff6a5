package io.hyphae.membership.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    static final NodeId NODE = new NodeId("nöde", new HostAndPort("::1", 7946), 42);

    static byte[] encode(ControlMessage m) {
        ByteBuf b = Unpooled.buffer();
        ControlCodec.INSTANCE.encode(m, b);
        return ByteBufUtil.getBytes(b);
    }

    @Test
    void everyMessageSurvivesARoundTrip() throws Exception {
        byte[] nonce = new byte[ControlMessage.NONCE_BYTES];
        nonce[0] = 7;
        byte[] mac = new byte[32];
        mac[31] = 9;
        List<ControlMessage> all = List.of(
                new ControlMessage.Hello(1, "cluster", NODE, nonce),
                new ControlMessage.Challenge(1, "cluster", NODE, nonce, mac),
                new ControlMessage.Challenge(1, "cluster", NODE, nonce, new byte[0]),
                new ControlMessage.Proof(mac),
                new ControlMessage.Welcome(),
                new ControlMessage.Reject(ControlMessage.Reason.WRONG_CLUSTER),
                new ControlMessage.Heartbeat(),
                new ControlMessage.Goodbye(),
                new ControlMessage.IdleClose());
        for (ControlMessage m : all) {
            byte[] bytes = encode(m);
            ControlMessage decoded = ControlCodec.INSTANCE.decode(Unpooled.wrappedBuffer(bytes), WireLimits.DEFAULT);
            assertThat(decoded.getClass()).isEqualTo(m.getClass());
            assertThat(encode(decoded)).as(ControlCodec.INSTANCE.typeName(m)).isEqualTo(bytes);
        }
    }

    @Test
    void readsTheVersionOfAHelloWithoutDecodingTheRest() {
        byte[] hello = encode(new ControlMessage.Hello(1, "cluster", NODE, new byte[ControlMessage.NONCE_BYTES]));
        hello[2] = 9; // version 9, and whatever follows may have changed shape in that version
        assertThat(ControlCodec.peekVersion(Unpooled.wrappedBuffer(hello))).hasValue(9);
        assertThat(ControlCodec.peekVersion(Unpooled.wrappedBuffer(encode(new ControlMessage.Heartbeat())))).isEmpty();
    }

    @Test
    void refusesAProofOfAnyOtherLengthThanOneMac() {
        byte[] proof = {3, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> ControlCodec.INSTANCE.decode(Unpooled.wrappedBuffer(proof), WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("proof");
    }

    @Test
    void refusesTrailingBytes() {
        byte[] heartbeat = {6, 0};
        assertThatThrownBy(() -> ControlCodec.INSTANCE.decode(Unpooled.wrappedBuffer(heartbeat), WireLimits.DEFAULT))
                .isInstanceOf(MalformedFrameException.class);
    }
}
