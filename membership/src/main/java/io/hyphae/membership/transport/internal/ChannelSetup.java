package io.hyphae.membership.transport.internal;

import io.hyphae.membership.HostAndPort;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.Optional;

/**
 * The pipeline of every connection, head to tail: [TLS] → frame decoder → (faults, only while a
 * fault rule touches the link: {@link FaultHandler}) → (idle detection, added once the handshake
 * finished) → flush consolidation → {@link Connection}. Outbound frames
 * carry their own length prefix, written by {@link Protocols.Registered#encodeFrame}, so no
 * encoder is needed.
 */
final class ChannelSetup {

    static final String TLS = "tls";
    static final String FRAMES = "frames";
    static final String FLUSH = "flush";
    /** Flushes batched per event-loop turn: a pipelined stream pays one syscall per batch, not per frame. */
    private static final int FLUSHES_PER_BATCH = 256;

    private ChannelSetup() {
    }

    /**
     * @param dialled the address dialled, for the TLS peer host; empty for an accepted connection
     */
    static void init(Channel ch, NettyTransport transport, Optional<TlsContexts> tls, Optional<HostAndPort> dialled,
                     Connection connection) {
        ChannelPipeline p = ch.pipeline();
        tls.ifPresent(t -> p.addLast(TLS, dialled
                .map(a -> t.dialler().newHandler(ch.alloc(), a.host(), a.port()))
                .orElseGet(() -> t.acceptor().newHandler(ch.alloc()))));
        int maxFrame = transport.config().wireLimits().maxFrameBytes();
        // The decoder compares the whole frame, prefix included, and with failFast rejects a
        // lying length as soon as the prefix is read, before buffering any of it.
        p.addLast(FRAMES, new LengthFieldBasedFrameDecoder(maxFrame + Integer.BYTES, 0, Integer.BYTES, 0, Integer.BYTES, true));
        p.addLast(FLUSH, new FlushConsolidationHandler(FLUSHES_PER_BATCH, true));
        p.addLast("connection", connection);
    }
}
