package io.hyphae.membership.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.faults.FaultSyntax;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fault interposition point when it must not change anything. */
class FaultHandlerProperties {

    @Property
    void withNoRuleActingOnThemEveryFrameLeavesAndArrivesUnchangedAndInOrder(
            @ForAll("frames") List<byte[]> frames, @ForAll boolean ruleForAnotherProtocol, @ForAll long seed) {
        // Given a link's pipeline and an injector with no rule, or one that touches the link but
        // acts only on frames of protocol 99 (so the handler is in the pipeline and judges every frame)
        FaultInjector faults = new FaultInjector("a", seed);
        if (ruleForAnotherProtocol) {
            faults.add(FaultSyntax.parse("drop 1 protocol=99"));
        }
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ChannelSetup.FRAMES, new ChannelDuplexHandler());
        FaultHandler.sync(channel, faults, new TransportMeters(new SimpleMeterRegistry(), "a", () -> 1, () -> 1), "a", "b");
        assertThat(channel.pipeline().get(FaultHandler.NAME) != null).isEqualTo(ruleForAnotherProtocol);

        // When the frames are sent, and the same frames (without their length prefix) received
        for (byte[] f : frames) {
            channel.writeOutbound(Unpooled.wrappedBuffer(f));
            channel.writeInbound(Unpooled.wrappedBuffer(f, Integer.BYTES, f.length - Integer.BYTES));
        }

        // Then each side sees exactly them, in order
        assertThat(drain(channel, true)).containsExactlyElementsOf(hex(frames, 0));
        assertThat(drain(channel, false)).containsExactlyElementsOf(hex(frames, Integer.BYTES));
        channel.finishAndReleaseAll();
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        // A length prefix, a protocol id other than 99, a body
        Arbitrary<byte[]> frame = Arbitraries.bytes().array(byte[].class).ofMinSize(5).ofMaxSize(64)
                .filter(f -> f[Integer.BYTES] != 99);
        return frame.list().ofMaxSize(50);
    }

    private static List<String> drain(EmbeddedChannel channel, boolean outbound) {
        List<String> out = new ArrayList<>();
        for (ByteBuf b; (b = outbound ? channel.readOutbound() : channel.readInbound()) != null; ) {
            out.add(ByteBufUtil.hexDump(b));
            b.release();
        }
        return out;
    }

    private static List<String> hex(List<byte[]> frames, int from) {
        return frames.stream().map(f -> ByteBufUtil.hexDump(f, from, f.length - from)).toList();
    }
}
