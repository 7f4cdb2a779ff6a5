package io.hyphae.membership.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.directory.DirectoryMessage.Update;
import io.hyphae.membership.directory.DirectoryNotification.MemberUp;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.directory.MemberKey;
import io.hyphae.membership.directory.MemberStatus;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.overlay.HyParViewMessage;
import io.hyphae.membership.overlay.OverlayNotification.NeighbourUp;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.plumtree.PlumtreeMessage;
import io.hyphae.membership.wire.WireLimits;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NodeCoreTest {

    static final NodeId SELF = new NodeId("self", new HostAndPort("10.0.0.1", 4370), 1);
    static final NodeId PEER = new NodeId("peer", new HostAndPort("10.0.0.2", 4370), 1);

    /** A started node with PEER as an active neighbour and in its directory. */
    static NodeCore withNeighbour() {
        NodeCore core = new NodeCore(SELF, HyParViewConfig.defaults(), PlumtreeConfig.lan(),
                Optional.of(DirectoryConfig.defaults()), WireLimits.DEFAULT, new SplittableRandom(3));
        core.start(0, List.of());
        core.handle(1, new Event.Received<>(PEER, new HyParViewMessage.Join()));
        core.handle(2, new Event.Received<>(PEER, new Update(List.of(new Member(PEER, MemberStatus.ALIVE, 1)))));
        return core;
    }

    static MemberStatus statusOfPeer(NodeCore core) {
        return core.directory().orElseThrow().member(MemberKey.of(PEER)).orElseThrow().status();
    }

    @Test
    void neighbourFromTheOverlayReachesPlumtreeAndTheDirectory() {
        NodeCore core = new NodeCore(SELF, HyParViewConfig.defaults(), PlumtreeConfig.lan(),
                Optional.of(DirectoryConfig.defaults()), WireLimits.DEFAULT, new SplittableRandom(3));
        core.start(0, List.of());

        List<Effect<Object>> out = core.handle(1, new Event.Received<>(PEER, new HyParViewMessage.Join()));

        assertThat(out).contains(new Effect.Notify<>(new NeighbourUp(PEER)));
        assertThat(core.plumtree().eagerPushPeers()).containsExactly(PEER);
        assertThat(out).anyMatch(e -> e instanceof Effect.Send<Object> s && s.to().equals(PEER)
                && s.message() instanceof io.hyphae.membership.directory.DirectoryMessage.Sync);
    }

    @Test
    void linkBreakingUnderAnActiveNeighbourMakesTheDirectorySuspectIt() {
        NodeCore core = withNeighbour();

        core.handle(3, new Event.LinkDown<>(PEER));

        assertThat(statusOfPeer(core)).isEqualTo(MemberStatus.SUSPECT);
        assertThat(core.overlay().isActive(PEER)).isFalse();
    }

    @Test
    void linkClosedAfterAPlainDisconnectRaisesNoSuspicion() {
        NodeCore core = withNeighbour();

        core.handle(3, new Event.Received<>(PEER, new HyParViewMessage.Disconnect(false)));
        core.handle(4, new Event.LinkDown<>(PEER));

        assertThat(statusOfPeer(core)).isEqualTo(MemberStatus.ALIVE);
    }

    @Test
    void directoryChangesGoOutAsPlumtreeBroadcastsOnTheDirectoryChannel() {
        NodeCore core = withNeighbour();

        List<Effect<Object>> out = core.handle(3, new Event.LinkDown<>(PEER));
        out.addAll(core.broadcast(4, Channels.FIRST_APPLICATION_CHANNEL, new byte[] {1}));

        // the suspicion was broadcast (no neighbour left to push it to), the application broadcast delivered locally
        assertThat(core.plumtree().stats().delivered()).isEqualTo(3); // own start, suspicion, application
        assertThat(out).noneMatch(e -> e instanceof Effect.Notify<Object> n
                && n.notification() instanceof io.hyphae.membership.plumtree.PlumtreeNotification.Deliver d
                && d.channel() == Channels.DIRECTORY);
    }

    @Test
    void nodeThatLeftAnswersAnyMessageWithDisconnect() {
        NodeCore core = withNeighbour();
        core.leave(3);

        List<Effect<Object>> out = core.handle(4, new Event.Received<>(PEER, new HyParViewMessage.Join()));

        assertThat(out).containsExactly(new Effect.Send<>(PEER, new HyParViewMessage.Disconnect(true)), new Effect.Disconnect<>(PEER));
    }

    @Test
    void leaveSendsTheLeftEntryBeforeTheDisconnect() {
        NodeCore core = withNeighbour();

        List<Effect<Object>> out = core.leave(3);

        int gossip = indexOf(out, PlumtreeMessage.Gossip.class);
        int disconnect = indexOf(out, HyParViewMessage.Disconnect.class);
        assertThat(gossip).isNotNegative().isLessThan(disconnect);
    }

    @Test
    void reservedDirectoryChannelIsRefusedToCallers() {
        NodeCore core = withNeighbour();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> core.broadcast(3, Channels.DIRECTORY, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedDirectoryPayloadIsCountedAndDropped() {
        NodeCore core = withNeighbour();
        var bogus = new PlumtreeMessage.Gossip(new io.hyphae.membership.plumtree.MessageId(PEER, 1), 1, Channels.DIRECTORY,
                new byte[] {42});

        core.handle(3, new Event.Received<>(PEER, bogus));

        assertThat(core.malformedBroadcasts()).isEqualTo(1);
        assertThat(core.directory().orElseThrow().liveMembers()).containsExactlyInAnyOrder(SELF, PEER);
    }

    @Test
    void startReportsThisNodeUp() {
        NodeCore core = new NodeCore(SELF, HyParViewConfig.defaults(), PlumtreeConfig.lan(),
                Optional.of(DirectoryConfig.defaults()), WireLimits.DEFAULT, new SplittableRandom(3));

        assertThat(core.start(0, List.of())).contains(new Effect.Notify<>(new MemberUp(SELF)));
    }

    static int indexOf(List<Effect<Object>> out, Class<?> messageType) {
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof Effect.Send<Object> s && messageType.isInstance(s.message())) {
                return i;
            }
        }
        return -1;
    }
}
