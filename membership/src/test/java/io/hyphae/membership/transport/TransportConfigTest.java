package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportConfigTest {

    static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple");

    @Test
    void presetsAreValidAndDifferInWhatTheyTrade() {
        TransportConfig local = TransportConfig.local("c", SECRET);
        TransportConfig lan = TransportConfig.lan("c", SECRET, new HostAndPort("0.0.0.0", 7946));

        assertThat(local.heartbeatTimeout()).isLessThan(lan.heartbeatTimeout());
        assertThat(local.bindAddress()).isEqualTo(new HostAndPort("127.0.0.1", 0));
        assertThat(lan.secret()).contains(SECRET);
        assertThat(lan.toBuilder().build()).isEqualTo(lan);
    }

    @Test
    void refusesAHeartbeatTimeoutNoLongerThanTheInterval() {
        var b = TransportConfig.local("c", SECRET).toBuilder().heartbeatInterval(Duration.ofSeconds(1)).heartbeatTimeout(Duration.ofSeconds(1));
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatTimeout");
    }

    @Test
    void refusesAQueueThatCannotHoldOneFrame() {
        var b = TransportConfig.local("c", SECRET).toBuilder().outboundQueueBytes(1024);
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outboundQueueBytes");
    }

    @Test
    void refusesZeroTimeoutsAndBadClusterNames() {
        var base = TransportConfig.local("c", SECRET).toBuilder();
        assertThatThrownBy(() -> base.handshakeTimeout(Duration.ZERO).build()).hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> TransportConfig.local("", SECRET)).hasMessageContaining("clusterName");
        assertThatThrownBy(() -> TransportConfig.local("x".repeat(256), SECRET)).hasMessageContaining("clusterName");
    }
}
