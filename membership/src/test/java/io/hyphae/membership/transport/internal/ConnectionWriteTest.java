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
 * A connection whose socket has closed but whose link-down has not run yet: the window in which
 * the peer has just died (or the link was just closed). What a send on it is told, and whether a
 * dial may be handed it. A real pipeline of a real transport, on an embedded channel.
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
            Connection connection = closedConnection();

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

    @Test
    void aConnectionWhoseSocketClosedIsNotUpForNewTraffic() throws Exception {
        // Given a connection whose socket has closed, its link-down not yet run
        boolean[] up = transport.executor().submit(() -> {
            Connection connection = closedConnection();
            return new boolean[] {connection.draining(), connection.upForTraffic()};
        }).get();

        // Then it is not closing gracefully, yet not up either: a dial in that window opens a new
        // connection (once this one's close has run) instead of being handed this one, on which
        // every send would be lost
        assertThat(up[0]).isFalse();
        assertThat(up[1]).isFalse();
    }

    @Test
    void anOpenConnectionIsUpForNewTraffic() throws Exception {
        boolean up = transport.executor().submit(() -> connection().upForTraffic()).get();

        assertThat(up).isTrue();
    }

    /** A connection in a real transport's pipeline, on an embedded channel; call on the loop. */
    private Connection connection() {
        Connection connection = new Connection(transport);
        new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                ChannelSetup.init(c, transport, Optional.empty(), Optional.empty(), connection);
            }
        });
        return connection;
    }

    private Connection closedConnection() {
        Connection connection = connection();
        connection.channel().close();
        return connection;
    }
}
