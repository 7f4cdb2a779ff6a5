package io.hyphae.membership.plumtree;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.plumtree.PlumtreeEffect.Deliver;
import io.hyphae.membership.plumtree.PlumtreeEffect.Send;
import io.hyphae.membership.plumtree.PlumtreeMessage.Announcement;
import io.hyphae.membership.plumtree.PlumtreeMessage.Gossip;
import io.hyphae.membership.plumtree.PlumtreeMessage.Graft;
import io.hyphae.membership.plumtree.PlumtreeMessage.IHave;
import io.hyphae.membership.plumtree.PlumtreeMessage.Prune;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlumtreeTest {

    static final NodeId SELF = node("self");
    static final NodeId A = node("a");
    static final NodeId B = node("b");
    static final NodeId C = node("c");
    static final NodeId ORIGIN = node("origin");
    static final Duration T0 = Duration.ofSeconds(100);

    static NodeId node(String name) {
        return new NodeId(name, new HostAndPort("127.0.0.1", 7000 + Math.abs(name.hashCode() % 1000)), 1);
    }

    static PlumtreeConfig config() {
        return new PlumtreeConfig(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(50),
                100, Duration.ofSeconds(10), 100, 10, 100, Duration.ofMinutes(1));
    }

    static Gossip gossip(long seq, int round) {
        return new Gossip(new MessageId(ORIGIN, seq), round, 7, new byte[] {(byte) seq});
    }

    static Plumtree withNeighbours(PlumtreeConfig config, NodeId... peers) {
        Plumtree p = new Plumtree(SELF, config);
        for (NodeId peer : peers) {
            p.neighborUp(peer, T0);
        }
        return p;
    }

    @Test
    void broadcastDeliversLocallyFirstThenPushesToEveryTreeLink() {
        Plumtree p = withNeighbours(config(), A, B);

        List<PlumtreeEffect> out = p.broadcast(7, new byte[] {42}, T0);

        MessageId id = new MessageId(SELF, 1);
        assertThat(out).containsExactly(
                new Deliver(id, 7, new byte[] {42}, 0),
                new Send(A, new Gossip(id, 1, 7, new byte[] {42})),
                new Send(B, new Gossip(id, 1, 7, new byte[] {42})));
        assertThat(p.broadcast(7, new byte[0], T0).get(0)).isEqualTo(new Deliver(new MessageId(SELF, 2), 7, new byte[0], 0));
    }

    @Test
    void firstGossipIsDeliveredAndForwardedToOtherTreeLinksWithTheNextRound() {
        Plumtree p = withNeighbours(config(), A, B, C);

        List<PlumtreeEffect> out = p.receive(A, gossip(1, 3), T0);

        assertThat(out).containsExactly(
                new Deliver(new MessageId(ORIGIN, 1), 7, new byte[] {1}, 3),
                new Send(B, gossip(1, 4)),
                new Send(C, gossip(1, 4)));
    }

    @Test
    void duplicateGossipIsNotDeliveredAndPrunesTheSenderLink() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(A, gossip(1, 1), T0);

        List<PlumtreeEffect> out = p.receive(B, gossip(1, 2), T0);

        assertThat(out).containsExactly(new Send(B, new Prune()));
        assertThat(p.eagerPushPeers()).containsExactly(A);
        assertThat(p.lazyPushPeers()).containsExactly(B);
        assertThat(p.stats().duplicatesReceived()).isEqualTo(1);
    }

    @Test
    void pruneTurnsTheLinkLazySoLaterMessagesAreOnlyAnnouncedInOneBatch() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(B, new Prune(), T0);

        List<PlumtreeEffect> out = p.receive(A, gossip(1, 1), T0);
        out.addAll(p.receive(A, gossip(2, 1), T0.plusMillis(10)));

        assertThat(out).noneMatch(e -> e instanceof Send s && s.to().equals(B));
        assertThat(p.nextDeadline()).contains(T0.plusMillis(50));
        assertThat(p.tick(T0.plusMillis(49))).isEmpty();
        assertThat(p.tick(T0.plusMillis(50))).containsExactly(new Send(B, new IHave(List.of(
                new Announcement(new MessageId(ORIGIN, 1), 2), new Announcement(new MessageId(ORIGIN, 2), 2)))));
        assertThat(p.nextDeadline()).isEmpty();
    }

    @Test
    void longLazyQueuesAreSplitIntoIHavesOfBoundedSize() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(B, new Prune(), T0);
        for (int i = 1; i <= 25; i++) {
            p.receive(A, gossip(i, 1), T0);
        }

        List<PlumtreeEffect> out = p.tick(T0.plusMillis(50));

        assertThat(out).hasSize(3).allMatch(e -> e instanceof Send s && s.message() instanceof IHave);
        assertThat(out).extracting(e -> ((IHave) ((Send) e).message()).announcements().size()).containsExactly(10, 10, 5);
    }

    @Test
    void lazyQueueDropsTheOldestAnnouncementsWhenFull() {
        PlumtreeConfig small = new PlumtreeConfig(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(50),
                100, Duration.ofSeconds(10), 3, 10, 100, Duration.ofMinutes(1));
        Plumtree p = withNeighbours(small, A, B);
        p.receive(B, new Prune(), T0);
        for (int i = 1; i <= 5; i++) {
            p.receive(A, gossip(i, 1), T0);
        }

        List<PlumtreeEffect> out = p.tick(T0.plusMillis(50));

        IHave ihave = (IHave) ((Send) out.get(0)).message();
        assertThat(ihave.announcements()).extracting(a -> a.id().sequence()).containsExactly(3L, 4L, 5L);
        assertThat(p.stats().announcementsDropped()).isEqualTo(2);
    }

    @Test
    void missingMessageIsGraftedFromTheFirstAnnouncerAfterTheTimeout() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(A, new Prune(), T0);
        p.receive(B, new Prune(), T0);
        MessageId id = new MessageId(ORIGIN, 1);

        p.receive(A, new IHave(List.of(new Announcement(id, 4))), T0);
        p.receive(B, new IHave(List.of(new Announcement(id, 2))), T0.plusMillis(5));

        assertThat(p.nextDeadline()).contains(T0.plusMillis(200));
        assertThat(p.tick(T0.plusMillis(199))).isEmpty();
        assertThat(p.tick(T0.plusMillis(200))).containsExactly(new Send(A, new Graft(id, 4)));
        assertThat(p.eagerPushPeers()).containsExactly(A);
        // no answer in time: the next announcer is asked
        assertThat(p.tick(T0.plusMillis(300))).containsExactly(new Send(B, new Graft(id, 2)));
        assertThat(p.eagerPushPeers()).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void gossipArrivingBeforeTheTimeoutCancelsTheGraft() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(B, new Prune(), T0);
        MessageId id = new MessageId(ORIGIN, 1);
        p.receive(B, new IHave(List.of(new Announcement(id, 2))), T0);

        p.receive(A, gossip(1, 1), T0.plusMillis(20));

        assertThat(p.missingCount()).isZero();
        assertThat(p.tick(T0.plusMillis(500))).noneMatch(e -> e instanceof Send s && s.message() instanceof Graft);
    }

    @Test
    void announcementOfAnAlreadyDeliveredMessageIsIgnored() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(A, gossip(1, 1), T0);

        p.receive(B, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 1), 1))), T0);

        assertThat(p.missingCount()).isZero();
    }

    @Test
    void treeNeighbourGoingDownIsRepairedThroughALazyAnnouncer() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(B, new Prune(), T0);
        MessageId id = new MessageId(ORIGIN, 1);
        p.receive(A, new IHave(List.of(new Announcement(id, 3))), T0);
        p.receive(B, new IHave(List.of(new Announcement(id, 2))), T0);

        p.neighborDown(A, T0.plusMillis(10));

        assertThat(p.tick(T0.plusMillis(200))).containsExactly(new Send(B, new Graft(id, 2)));
        assertThat(p.eagerPushPeers()).containsExactly(B);
        assertThat(p.lazyPushPeers()).isEmpty();
    }

    @Test
    void graftIsAnsweredFromTheCacheAndMakesTheLinkATreeLink() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(A, gossip(1, 1), T0);
        p.receive(B, new Prune(), T0);

        List<PlumtreeEffect> out = p.receive(B, new Graft(new MessageId(ORIGIN, 1), 2), T0.plusSeconds(1));

        assertThat(out).containsExactly(new Send(B, gossip(1, 2)));
        assertThat(p.eagerPushPeers()).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void graftForAnExpiredMessageCannotBeAnsweredButStillGraftsTheLink() {
        Plumtree p = withNeighbours(config(), A, B);
        p.receive(A, gossip(1, 1), T0);
        p.receive(B, new Prune(), T0);

        List<PlumtreeEffect> out = p.receive(B, new Graft(new MessageId(ORIGIN, 1), 2), T0.plusSeconds(11));

        assertThat(out).isEmpty();
        assertThat(p.stats().graftsUnanswered()).isEqualTo(1);
        assertThat(p.eagerPushPeers()).contains(B);
    }

    @Test
    void cacheIsBoundedByCountButDeliveryStaysAtMostOnce() {
        PlumtreeConfig tiny = new PlumtreeConfig(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(50),
                2, Duration.ofSeconds(10), 100, 10, 100, Duration.ofMinutes(1));
        Plumtree p = withNeighbours(tiny, A, B);
        for (int i = 1; i <= 5; i++) {
            p.receive(A, gossip(i, 1), T0);
        }

        assertThat(p.cachedCount()).isEqualTo(2);
        assertThat(p.receive(B, gossip(1, 1), T0)).noneMatch(e -> e instanceof Deliver);
        assertThat(p.stats().delivered()).isEqualTo(5);
    }

    @Test
    void outOfOrderSequencesAreEachDeliveredOnce() {
        Plumtree p = withNeighbours(config(), A);
        for (long seq : new long[] {3, 1, 5, 2, 4, 3, 1}) {
            p.receive(A, gossip(seq, 1), T0);
        }

        assertThat(p.stats().delivered()).isEqualTo(5);
        assertThat(p.stats().duplicatesReceived()).isEqualTo(2);
    }

    @Test
    void messagesFromStrangersAreDeliveredButShapeNoLinks() {
        Plumtree p = withNeighbours(config(), A);
        NodeId stranger = node("stranger");

        List<PlumtreeEffect> out = p.receive(stranger, gossip(1, 1), T0);
        out.addAll(p.receive(stranger, gossip(1, 1), T0));
        out.addAll(p.receive(stranger, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 9), 1))), T0));
        out.addAll(p.receive(stranger, new Graft(new MessageId(ORIGIN, 1), 1), T0));

        assertThat(out).containsExactly(new Deliver(new MessageId(ORIGIN, 1), 7, new byte[] {1}, 1), new Send(A, gossip(1, 2)));
        assertThat(p.eagerPushPeers()).containsExactly(A);
        assertThat(p.missingCount()).isZero();
    }

    @Test
    void zeroIHaveIntervalAnnouncesAtOnce() {
        PlumtreeConfig eager = new PlumtreeConfig(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ZERO,
                100, Duration.ofSeconds(10), 100, 10, 100, Duration.ofMinutes(1));
        Plumtree p = withNeighbours(eager, A, B);
        p.receive(B, new Prune(), T0);

        List<PlumtreeEffect> out = p.receive(A, gossip(1, 1), T0);

        assertThat(out).contains(new Send(B, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 1), 2)))));
        assertThat(p.nextDeadline()).isEmpty();
    }
}
