package io.hyphae.membership.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;

/**
 * What every {@link ProtocolCodec} promises for any bytes a peer can send, checked by the fuzz
 * targets of each codec:
 * <ul>
 *   <li>decode either returns a message or throws {@link MalformedFrameException} with a
 *       reason; any other exception escapes (the fuzzer reports it);</li>
 *   <li>a decoded message encodes back to exactly the bytes it came from, so the encoding is
 *       canonical and a relayed message never changes;</li>
 *   <li>decoding allocates at most a fixed budget plus a small multiple of the input, so a count
 *       or length field cannot make a node allocate for elements that never arrive.</li>
 * </ul>
 */
public final class DecoderContract {

    /** Strings and byte arrays copy what arrived (a UTF-8 string can take two bytes a char, and its decoder a copy). */
    private static final long BYTES_PER_INPUT_BYTE = 16;
    /** Messages, lists up to 64 entries before they grow, exception messages: far below one unchecked count. */
    private static final long FIXED_BUDGET = 64 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private DecoderContract() {
    }

    public static <M> void check(ProtocolCodec<M> codec, byte[] input, WireLimits limits) {
        // The first decode loads and initialises classes, which allocates; so can the fuzzer's
        // own bookkeeping on this thread (seen once: 350 KB for a 27-byte seed while fuzzing).
        // Take the least of a few decodes: a count or length field sized without a bound
        // allocates on every one of them.
        Outcome<M> first = decode(codec, input, limits);
        Outcome<M> again = first;
        long allocated = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            again = decode(codec, input, limits);
            allocated = Math.min(allocated, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        assertThat(allocated).as("bytes allocated decoding %d input bytes", input.length)
                .isLessThanOrEqualTo(FIXED_BUDGET + BYTES_PER_INPUT_BYTE * input.length);
        assertThat(again.failure == null).as("decoding the same bytes twice gives the same outcome")
                .isEqualTo(first.failure == null);
        if (first.failure != null) {
            assertThat(first.failure.getMessage()).as("the reason a frame is malformed").isNotBlank();
            return;
        }
        assertThat(codec.typeName(first.message)).isNotBlank();
        ByteBuf out = Unpooled.buffer();
        codec.encode(first.message, out);
        assertThat(ByteBufUtil.getBytes(out)).as("%s re-encodes to the bytes it was decoded from", first.message)
                .isEqualTo(input);
    }

    private static <M> Outcome<M> decode(ProtocolCodec<M> codec, byte[] input, WireLimits limits) {
        try {
            return new Outcome<>(codec.decode(Unpooled.wrappedBuffer(input), limits), null);
        } catch (MalformedFrameException e) {
            return new Outcome<>(null, e);
        }
    }

    private record Outcome<M>(M message, MalformedFrameException failure) {
    }
}
