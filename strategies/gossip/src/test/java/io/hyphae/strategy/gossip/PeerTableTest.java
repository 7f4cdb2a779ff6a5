package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerTableTest {

    private static final HostAndPort A = new HostAndPort("10.0.0.1", 7000);
    private static final HostAndPort B = new HostAndPort("10.0.0.2", 7000);
    private static final long SECOND = 1_000_000_000L;

    private final PeerTable table = new PeerTable(2, Duration.ofSeconds(5), Duration.ofSeconds(20));

    @Test
    void seedsArePeersHeardWithinTheExpiry() {
        assertThat(table.heard(new NodeId("a", A, 1), 0)).isEqualTo(PeerTable.Outcome.ADDED);
        assertThat(table.heard(new NodeId("b", B, 1), 3 * SECOND)).isEqualTo(PeerTable.Outcome.ADDED);
        assertThat(table.heard(new NodeId("b", B, 1), 4 * SECOND)).isEqualTo(PeerTable.Outcome.REFRESHED);

        assertThat(table.expire(5 * SECOND)).isFalse();
        assertThat(table.expire(5 * SECOND + 1)).isTrue();
        assertThat(table.seeds()).isEqualTo(Set.of(B));
    }

    @Test
    void goodbyeDropsAtOnceButNotANewerIncarnation() {
        table.heard(new NodeId("a", A, 2), 0);

        assertThat(table.left(new NodeId("a", A, 1), 0)).as("goodbye of the run before a restart").isFalse();
        assertThat(table.heard(new NodeId("a", A, 1), 1)).as("late heartbeat of the run before").isEqualTo(PeerTable.Outcome.IGNORED);
        assertThat(table.left(new NodeId("a", A, 2), 2)).isTrue();
        assertThat(table.seeds()).isEmpty();
    }

    @Test
    void heartbeatOvertakenByItsGoodbyeDoesNotBringTheNodeBack() {
        // Given a node that said goodbye
        table.heard(new NodeId("a", A, 1), 0);
        table.left(new NodeId("a", A, 1), SECOND);

        // When a heartbeat it sent before the goodbye arrives after it
        PeerTable.Outcome late = table.heard(new NodeId("a", A, 1), 2 * SECOND);

        // Then it is ignored, while the node's next run is welcome at once
        assertThat(late).isEqualTo(PeerTable.Outcome.IGNORED);
        assertThat(table.seeds()).isEmpty();
        assertThat(table.heard(new NodeId("a", A, 2), 3 * SECOND)).isEqualTo(PeerTable.Outcome.ADDED);
    }

    @Test
    void tombstonesAreForgottenOnceNoEarlierHeartbeatCouldStillBeFresh() {
        table.left(new NodeId("a", A, 1), 0);

        assertThat(table.heard(new NodeId("a", A, 1), 20 * SECOND)).isEqualTo(PeerTable.Outcome.IGNORED);
        assertThat(table.heard(new NodeId("a", A, 1), 20 * SECOND + 1)).isEqualTo(PeerTable.Outcome.ADDED);
    }

    @Test
    void tombstonesStayBounded() {
        for (int i = 0; i < 100; i++) {
            table.left(new NodeId("n" + i, new HostAndPort("10.1.0." + i, 7000), 1), i);
        }

        assertThat(table.heard(new NodeId("n0", new HostAndPort("10.1.0.0", 7000), 1), 100)).as("oldest tombstone evicted").isEqualTo(PeerTable.Outcome.ADDED);
        assertThat(table.heard(new NodeId("n99", new HostAndPort("10.1.0.99", 7000), 1), 100)).isEqualTo(PeerTable.Outcome.IGNORED);
    }

    @Test
    void refusesNewPeersWhenFull() {
        table.heard(new NodeId("a", A, 1), 0);
        table.heard(new NodeId("b", B, 1), 0);

        assertThat(table.heard(new NodeId("c", new HostAndPort("10.0.0.3", 7000), 1), 0)).isEqualTo(PeerTable.Outcome.FULL);
        assertThat(table.heard(new NodeId("a", A, 2), 0)).as("known addresses still refresh").isEqualTo(PeerTable.Outcome.REFRESHED);
    }
}
