package io.hyphae.rpc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The decoder takes any bytes a peer sends. It must either return a message or throw
 * {@link MalformedFrameException}: any other exception would escape the transport's handling.
 * Regression inputs live in {@code src/test/resources/io/hyphae/rpc/wire/RpcWireCodecFuzzTestInputs/decoderOnlyEverThrowsMalformedFrame/}.
 */
class RpcWireCodecFuzzTest {

    // Small limits so the fuzzer reaches the limit checks with short inputs.
    private static final WireLimits LIMITS = new WireLimits(4096, 300, 16);

    private final RpcWireCodec codec = new RpcWireCodec();

    @FuzzTest(maxDuration = "20s")
    void decoderOnlyEverThrowsMalformedFrame(byte[] input) {
        RpcMessage decoded;
        try {
            decoded = codec.decode(Unpooled.wrappedBuffer(input), LIMITS);
        } catch (MalformedFrameException e) {
            return;
        }
        // What decodes encodes again and decodes to the same message (bytes may differ only
        // where malformed UTF-8 was replaced), so a relayed message never changes meaning.
        ByteBuf again = Unpooled.buffer();
        codec.encode(decoded, again);
        try {
            assertThat(codec.decode(again, LIMITS)).isEqualTo(decoded);
        } catch (MalformedFrameException e) {
            throw new AssertionError("a decoded message did not survive re-encoding: " + decoded, e);
        }
    }
}
