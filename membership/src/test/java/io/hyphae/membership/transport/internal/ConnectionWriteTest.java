package io.hyphae.membership.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.transport.Chat;
import io.hyphae.membership.transport.SendResult;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a send is told when its link's socket has closed but the link-down has not run yet: the
 * window in which the peer has just died (or the link was just closed) and a thread other than
 * the loop sends. A real pipeline of a real transport, on an embedded channel.
 */
class ConnectionWriteTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NettyTransport transport = NettyTransport.start(
            TransportConfig.local("test", ClusterSecret.of("correct horse battery staple")), "t", meters,
            TransportResources.shared());

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void aWriteOnAClosedSocketIsNoLinkAndNotCountedAsBackpressure() throws Exception {
        transport.register(Chat.Codec.INSTANCE, (from, m) -> { });
        SendResult result = transport.executor().submit(() -> {
            // Given a connection whose socket has closed
            Connection connection = new Connection(transport);
            EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel c) {
                    ChannelSetup.init(c, transport, Optional.empty(), Optional.empty(), connection);
                }
            });
            channel.close();

            // When a message is written to it
            Chat.Text text = new Chat.Text("hello");
            return connection.write(transport.protocols().forMessage(text), text);
        }).get();

        // Then the sender hears there is no link (so it may dial and send again), and no queue
        // is reported full
        assertThat(result).isEqualTo(SendResult.NO_LINK);
        assertThat(meters.find("hyphae.transport.sends.dropped").counters()).extracting(Counter::count)
                .allSatisfy(n -> assertThat(n).isZero());
    }
}
