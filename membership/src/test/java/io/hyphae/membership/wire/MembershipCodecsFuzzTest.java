package io.hyphae.membership.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hyphae.membership.directory.DirectoryCodec;
import io.hyphae.membership.overlay.HyParViewCodec;
import io.hyphae.membership.plumtree.PlumtreeCodec;
import io.hyphae.membership.transport.internal.ControlCodec;

/**
 * One target per membership codec, each checking the {@link DecoderContract} on any frame body
 * a peer can send, with the limits a node runs with. Under {@code mvn verify} this replays the
 * inputs under {@code src/test/resources/io/hyphae/membership/wire/MembershipCodecsFuzzTestInputs/}
 * (valid encodings of every message, and every crash found so far); {@code scripts/fuzz.sh}
 * fuzzes each target for a bounded time.
 */
class MembershipCodecsFuzzTest {

    private static final WireLimits LIMITS = WireLimits.DEFAULT;

    @FuzzTest(maxDuration = "15s")
    void hyParView(byte[] body) {
        DecoderContract.check(new HyParViewCodec(), body, LIMITS);
    }

    @FuzzTest(maxDuration = "15s")
    void plumtree(byte[] body) {
        DecoderContract.check(new PlumtreeCodec(), body, LIMITS);
    }

    @FuzzTest(maxDuration = "15s")
    void directory(byte[] body) {
        DecoderContract.check(new DirectoryCodec(), body, LIMITS);
    }

    @FuzzTest(maxDuration = "15s")
    void control(byte[] body) {
        DecoderContract.check(ControlCodec.INSTANCE, body, LIMITS);
    }
}
