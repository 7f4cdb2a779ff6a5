package io.hyphae.membership.transport.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.Chat;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Fuzzes what a peer controls: every byte after the TCP connect. Each target feeds the bytes
 * through the real pipeline (frame decoder, handshake, protocol dispatch and every registered
 * codec) of a real transport, on that transport's own event loop. The property: whatever the
 * bytes, nothing reaches the pipeline's tail as an unhandled exception (a closed connection is
 * fine, a crash is a finding).
 *
 * <p>Under {@code mvn verify} this replays the corpus in {@code TransportFuzzTestInputs/}; with
 * {@code scripts/fuzz.sh} each target fuzzes for {@code FUZZ_SECONDS} (the {@code maxDuration} is
 * what an IDE run with {@code JAZZER_FUZZ=1} uses).
 */
class TransportFuzzTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple");
    /** Requires the secret: the fuzzer explores the handshake, but cannot forge a proof. */
    private static final NettyTransport SECURE = start(TransportConfig.local("fuzz", SECRET), "secure");
    /** Accepts any proof, so the fuzzer gets past the handshake to the frames of every protocol. */
    private static final NettyTransport INSECURE = start(TransportConfig.local("fuzz", SECRET).toBuilder()
            .secret(Optional.empty()).insecureDevelopmentMode(true).build(), "insecure");
    private static final NodeId PEER = new NodeId("peer", new HostAndPort("127.0.0.1", 9), 1);

    private static NettyTransport start(TransportConfig config, String name) {
        NettyTransport t = NettyTransport.start(config, name, new SimpleMeterRegistry(), TransportResources.shared());
        t.register(Chat.Codec.INSTANCE, (from, m) -> { });
        return t;
    }

    @FuzzTest(maxDuration = "30s")
    void acceptorHandshake(byte[] input) throws Exception {
        feed(SECURE, new Connection(SECURE), input);
    }

    @FuzzTest(maxDuration = "30s")
    void diallerHandshake(byte[] input) throws Exception {
        feed(SECURE, new Connection(SECURE, PEER.address(), new CompletableFuture<>()), input);
    }

    /** The input follows a valid HELLO and an empty PROOF, so it lands on an established link. */
    @FuzzTest(maxDuration = "30s")
    void establishedFrames(byte[] input) throws Exception {
        ByteBuf prefix = Unpooled.buffer();
        frame(prefix, new ControlMessage.Hello(ControlMessage.PROTOCOL_VERSION, "fuzz", PEER, new byte[ControlMessage.NONCE_BYTES]));
        frame(prefix, new ControlMessage.Proof(new byte[0]));
        feed(INSECURE, new Connection(INSECURE), Unpooled.wrappedBuffer(prefix, Unpooled.wrappedBuffer(input)));
    }

    private static void feed(NettyTransport transport, Connection connection, byte[] input) throws Exception {
        feed(transport, connection, Unpooled.wrappedBuffer(input));
    }

    private static void feed(NettyTransport transport, Connection connection, ByteBuf input) throws Exception {
        try {
            transport.executor().submit(() -> {
                EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        ChannelSetup.init(c, transport, Optional.empty(), connection.dialled(), connection);
                    }
                });
                try {
                    ch.writeInbound(input);
                    ch.runPendingTasks();
                    ch.checkException();
                } finally {
                    ch.finishAndReleaseAll(); // closes the connection: the transport forgets its link
                }
                return null;
            }).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static void frame(ByteBuf out, ControlMessage m) {
        int at = out.writerIndex();
        out.writeInt(0).writeByte(ControlCodec.PROTOCOL_ID);
        ControlCodec.INSTANCE.encode(m, out);
        out.setInt(at, out.writerIndex() - at - Integer.BYTES);
    }
}
