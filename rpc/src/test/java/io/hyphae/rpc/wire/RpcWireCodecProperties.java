package io.hyphae.rpc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.wire.RpcMessage.Broadcast;
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import io.hyphae.rpc.wire.RpcMessage.DirectMark;
import io.hyphae.rpc.wire.RpcMessage.ErrorReply;
import io.hyphae.rpc.wire.RpcMessage.Reply;
import io.hyphae.rpc.wire.RpcMessage.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RpcWireCodecProperties {

    private final RpcWireCodec codec = new RpcWireCodec();

    @Property(tries = 500)
    void everyMessageDecodesToItself(@ForAll("messages") RpcMessage message) throws Exception {
        // Given a message encoded
        ByteBuf buf = Unpooled.buffer();
        codec.encode(message, buf);

        // When it is decoded
        RpcMessage decoded = codec.decode(buf, WireLimits.DEFAULT);

        // Then it is the same message, and the type name is stable
        assertThat(decoded).isEqualTo(message);
        assertThat(codec.typeName(decoded)).isEqualTo(codec.typeName(message));
    }

    @Property(tries = 200)
    void everyTruncationIsRefusedAsMalformed(@ForAll("messages") RpcMessage message) {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(message, buf);
        byte[] whole = new byte[buf.readableBytes()];
        buf.readBytes(whole);

        for (int cut = 0; cut < whole.length; cut++) {
            ByteBuf truncated = Unpooled.wrappedBuffer(whole, 0, cut);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decode(truncated, WireLimits.DEFAULT))
                    .isInstanceOf(io.hyphae.membership.wire.MalformedFrameException.class);
        }
    }

    private record BatchItem(long after, String name, byte[] payload) {
    }

    @Provide
    Arbitrary<RpcMessage> messages() {
        Arbitrary<Long> ids = Arbitraries.longs();
        Arbitrary<String> names = Arbitraries.strings().ofMinLength(1).ofMaxLength(60)
                .withCharRange('a', 'z').withChars('.', '-', 'é', '名');
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<String> details = Arbitraries.strings().ofMaxLength(200).withCharRange(' ', '~');
        Arbitrary<Reason> reasons = Arbitraries.of(Reason.NO_SUCH_HANDLER, Reason.HANDLER_THREW, Reason.OVERLOADED);
        Arbitrary<NodeId> nodes = Combinators.combine(
                        Arbitraries.strings().ofMinLength(1).ofMaxLength(20).withCharRange('a', 'z'),
                        Arbitraries.integers().between(0, 65535),
                        Arbitraries.longs())
                .as((n, port, inc) -> new NodeId(n, new HostAndPort("127.0.0.1", port), inc));

        Arbitrary<Long> seqs = Arbitraries.longs().greaterOrEqual(1);
        Arbitrary<DirectMark> marks = Combinators.combine(Arbitraries.longs(), seqs).as(DirectMark::new);

        Arbitrary<CastBatch> batches = Combinators.combine(nodes, Arbitraries.longs(), Arbitraries.longs().between(1, Long.MAX_VALUE / 2),
                        Combinators.combine(Arbitraries.longs().greaterOrEqual(0), names, payloads).as(BatchItem::new).list().ofMinSize(2).ofMaxSize(6))
                .as((origin, to, first, items) -> {
                    List<DirectCast> casts = new ArrayList<>();
                    for (int i = 0; i < items.size(); i++) {
                        BatchItem item = items.get(i);
                        casts.add(new DirectCast(origin, to, first + i, item.after(), item.name(), item.payload()));
                    }
                    return new CastBatch(casts);
                });

        return Arbitraries.oneOf(
                batches,
                Combinators.combine(ids, names, payloads).as(Request::new),
                Combinators.combine(ids, payloads).as(Reply::new),
                Combinators.combine(ids, reasons, details).as(ErrorReply::of),
                Combinators.combine(nodes, seqs, marks.list().ofMaxSize(5), names, payloads).as(Broadcast::new),
                Combinators.combine(nodes, Arbitraries.longs(), seqs, Arbitraries.longs().greaterOrEqual(0), names, payloads).as(DirectCast::new));
    }
}
