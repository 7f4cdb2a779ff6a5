package io.hyphae.membership.plumtree;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Effect.Notify;
import io.hyphae.membership.core.Effect.Schedule;
import io.hyphae.membership.core.Effect.Send;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.plumtree.PlumtreeMessage.Announcement;
import io.hyphae.membership.plumtree.PlumtreeMessage.Gossip;
import io.hyphae.membership.plumtree.PlumtreeMessage.Graft;
import io.hyphae.membership.plumtree.PlumtreeMessage.IHave;
import io.hyphae.membership.plumtree.PlumtreeMessage.Prune;
import io.hyphae.membership.plumtree.PlumtreeNotification.Deliver;
import io.hyphae.membership.plumtree.PlumtreeTimer.GraftTimeout;
import io.hyphae.membership.plumtree.PlumtreeTimer.IHaveFlush;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlumtreeTest {

    static final NodeId SELF = node("self");
    static final NodeId A = node("a");
    static final NodeId B = node("b");
    static final NodeId C = node("c");
    static final NodeId ORIGIN = node("origin");
    static final long T0 = 100_000;

    static NodeId node(String name) {
        return new NodeId(name, new HostAndPort("127.0.0.1", 7000), 1);
    }

    static PlumtreeConfig config(int cacheSize, int maxLazyQueue, Duration ihaveInterval) {
        return new PlumtreeConfig(Duration.ofMillis(200), Duration.ofMillis(100), ihaveInterval,
                cacheSize, Duration.ofSeconds(10), maxLazyQueue, 10, 100, 0, Duration.ofMinutes(1));
    }

    static PlumtreeConfig config() {
        return config(100, 100, Duration.ofMillis(50));
    }

    static Gossip gossip(long seq, int round) {
        return new Gossip(new MessageId(ORIGIN, seq), round, 7, new byte[] {(byte) seq});
    }

    static Plumtree withNeighbours(PlumtreeConfig config, NodeId... peers) {
        Plumtree p = new Plumtree(SELF, config);
        for (NodeId peer : peers) {
            p.neighbourUp(T0, peer);
        }
        return p;
    }

    static List<Effect<PlumtreeMessage>> receive(Plumtree p, long now, NodeId from, PlumtreeMessage m) {
        return new ArrayList<>(p.handle(now, new Event.Received<>(from, m)));
    }

    static List<Effect<PlumtreeMessage>> fire(Plumtree p, long now, PlumtreeTimer timer) {
        return p.handle(now, new Event.TimerFired<>(timer));
    }

    static List<Object> sends(List<Effect<PlumtreeMessage>> effects) {
        return effects.stream().filter(e -> e instanceof Send).map(e -> (Object) e).toList();
    }

    static Send<PlumtreeMessage> send(NodeId to, PlumtreeMessage m) {
        return new Send<>(to, m);
    }

    @Test
    void broadcastDeliversLocallyFirstThenPushesToEveryTreeLink() {
        Plumtree p = withNeighbours(config(), A, B);

        List<Effect<PlumtreeMessage>> out = p.broadcast(T0, 7, new byte[] {42});

        MessageId id = new MessageId(SELF, 1);
        assertThat(out).containsExactly(
                new Notify<>(new Deliver(id, 7, new byte[] {42}, 0)),
                send(A, new Gossip(id, 1, 7, new byte[] {42})),
                send(B, new Gossip(id, 1, 7, new byte[] {42})));
        assertThat(p.broadcast(T0, 7, new byte[0]).get(0))
                .isEqualTo(new Notify<>(new Deliver(new MessageId(SELF, 2), 7, new byte[0], 0)));
    }

    @Test
    void firstGossipIsDeliveredAndForwardedToTheOtherTreeLinksWithTheNextRound() {
        Plumtree p = withNeighbours(config(), A, B, C);

        List<Effect<PlumtreeMessage>> out = receive(p, T0, A, gossip(1, 3));

        assertThat(out).containsExactly(
                new Notify<>(new Deliver(new MessageId(ORIGIN, 1), 7, new byte[] {1}, 3)),
                send(B, gossip(1, 4)),
                send(C, gossip(1, 4)));
    }

    @Test
    void duplicateGossipIsNotDeliveredAndPrunesTheSenderLink() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, gossip(1, 1));

        List<Effect<PlumtreeMessage>> out = receive(p, T0, B, gossip(1, 2));

        assertThat(out).containsExactly(send(B, new Prune()));
        assertThat(p.eagerPushPeers()).containsExactly(A);
        assertThat(p.lazyPushPeers()).containsExactly(B);
        assertThat(p.stats().duplicatesReceived()).isEqualTo(1);
    }

    @Test
    void prunedLinkOnlyGetsAnnouncementsBatchedIntoOneIHavePerInterval() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> first = receive(p, T0, A, gossip(1, 1));
        List<Effect<PlumtreeMessage>> second = receive(p, T0 + 10, A, gossip(2, 1));

        assertThat(first).contains(new Schedule<>(new IHaveFlush(), Duration.ofMillis(50)));
        assertThat(second).noneMatch(e -> e instanceof Schedule || e instanceof Send);
        assertThat(fire(p, T0 + 50, new IHaveFlush())).containsExactly(send(B, new IHave(List.of(
                new Announcement(new MessageId(ORIGIN, 1), 2), new Announcement(new MessageId(ORIGIN, 2), 2)))));
        assertThat(receive(p, T0 + 60, A, gossip(3, 1))).contains(new Schedule<>(new IHaveFlush(), Duration.ofMillis(50)));
    }

    @Test
    void longLazyQueuesAreSplitIntoIHavesOfBoundedSize() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, B, new Prune());
        for (int i = 1; i <= 25; i++) {
            receive(p, T0, A, gossip(i, 1));
        }

        List<Effect<PlumtreeMessage>> out = fire(p, T0 + 50, new IHaveFlush());

        assertThat(out).extracting(e -> ((IHave) ((Send<PlumtreeMessage>) e).message()).announcements().size())
                .containsExactly(10, 10, 5);
    }

    @Test
    void lazyQueueDropsTheOldestAnnouncementsWhenFull() {
        Plumtree p = withNeighbours(config(100, 3, Duration.ofMillis(50)), A, B);
        receive(p, T0, B, new Prune());
        for (int i = 1; i <= 5; i++) {
            receive(p, T0, A, gossip(i, 1));
        }

        List<Effect<PlumtreeMessage>> out = fire(p, T0 + 50, new IHaveFlush());

        IHave ihave = (IHave) ((Send<PlumtreeMessage>) out.get(0)).message();
        assertThat(ihave.announcements()).extracting(a -> a.id().sequence()).containsExactly(3L, 4L, 5L);
        assertThat(p.stats().announcementsDropped()).isEqualTo(2);
    }

    @Test
    void missingMessageIsGraftedFromTheFirstAnnouncerAfterTheTimeoutThenFromTheNext() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, new Prune());
        receive(p, T0, B, new Prune());
        MessageId id = new MessageId(ORIGIN, 1);

        List<Effect<PlumtreeMessage>> first = receive(p, T0, A, new IHave(List.of(new Announcement(id, 4))));
        List<Effect<PlumtreeMessage>> second = receive(p, T0 + 5, B, new IHave(List.of(new Announcement(id, 2))));

        GraftTimeout timer = new GraftTimeout(id, 1);
        assertThat(first).containsExactly(new Schedule<>(timer, Duration.ofMillis(200)));
        assertThat(second).isEmpty();
        assertThat(fire(p, T0 + 200, timer)).containsExactly(send(A, new Graft(Optional.of(id), 4)),
                new Schedule<>(timer, Duration.ofMillis(100)));
        assertThat(p.eagerPushPeers()).containsExactly(A);
        // no answer in time: the next announcer is asked
        assertThat(sends(fire(p, T0 + 300, timer))).containsExactly(send(B, new Graft(Optional.of(id), 2)));
        assertThat(p.eagerPushPeers()).containsExactlyInAnyOrder(A, B);
        // nobody left to ask: the wait ends
        assertThat(fire(p, T0 + 400, timer)).isEmpty();
        assertThat(p.missingCount()).isZero();
    }

    @Test
    void gossipArrivingBeforeTheTimeoutCancelsTheGraft() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, B, new Prune());
        MessageId id = new MessageId(ORIGIN, 1);
        receive(p, T0, B, new IHave(List.of(new Announcement(id, 2))));

        receive(p, T0 + 20, A, gossip(1, 1));

        assertThat(p.missingCount()).isZero();
        assertThat(fire(p, T0 + 200, new GraftTimeout(id, 1))).isEmpty();
    }

    @Test
    void staleGraftTimerOfAnEarlierWaitDoesNothing() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, B, new Prune());
        MessageId id = new MessageId(ORIGIN, 1);
        receive(p, T0, B, new IHave(List.of(new Announcement(id, 2))));
        fire(p, T0 + 200, new GraftTimeout(id, 1));
        fire(p, T0 + 300, new GraftTimeout(id, 1)); // no announcer left: wait ended

        List<Effect<PlumtreeMessage>> again = receive(p, T0 + 310, B, new IHave(List.of(new Announcement(id, 2))));

        assertThat(again).containsExactly(new Schedule<>(new GraftTimeout(id, 2), Duration.ofMillis(200)));
        assertThat(fire(p, T0 + 320, new GraftTimeout(id, 1))).isEmpty();
    }

    @Test
    void announcementOfAnAlreadyDeliveredMessageIsIgnored() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, gossip(1, 1));

        assertThat(receive(p, T0, B, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 1), 1))))).isEmpty();
        assertThat(p.missingCount()).isZero();
    }

    @Test
    void treeNeighbourGoingDownIsRepairedThroughALazyAnnouncer() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, B, new Prune());
        MessageId id = new MessageId(ORIGIN, 1);
        receive(p, T0, A, new IHave(List.of(new Announcement(id, 3))));
        receive(p, T0, B, new IHave(List.of(new Announcement(id, 2))));

        p.neighbourDown(T0 + 10, A);

        assertThat(sends(fire(p, T0 + 200, new GraftTimeout(id, 1)))).containsExactly(send(B, new Graft(Optional.of(id), 2)));
        assertThat(p.eagerPushPeers()).containsExactly(B);
        assertThat(p.lazyPushPeers()).isEmpty();
    }

    @Test
    void graftIsAnsweredFromTheCacheAndMakesTheLinkATreeLink() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, gossip(1, 1));
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> out = receive(p, T0 + 1000, B, new Graft(Optional.of(new MessageId(ORIGIN, 1)), 2));

        assertThat(out).containsExactly(send(B, gossip(1, 2)));
        assertThat(p.eagerPushPeers()).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void graftForAnExpiredMessageCannotBeAnsweredButStillGraftsTheLink() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, gossip(1, 1));
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> out = receive(p, T0 + 11_000, B, new Graft(Optional.of(new MessageId(ORIGIN, 1)), 2));

        assertThat(out).isEmpty();
        assertThat(p.stats().graftsUnanswered()).isEqualTo(1);
        assertThat(p.eagerPushPeers()).contains(B);
    }

    @Test
    void aSelfRepairingChannelsPayloadIsCachedOnlyLongEnoughForAPromptGraft() {
        // channel 7 is repaired by the layer above (as the directory is, by anti-entropy)
        Plumtree p = new Plumtree(SELF, config(), Set.of(7));
        Plumtree other = withNeighbours(config(), A, B);
        for (Plumtree t : List.of(p, other)) {
            t.neighbourUp(T0, A);
            t.neighbourUp(T0, B);
            receive(t, T0, A, gossip(1, 1));
            receive(t, T0, B, new Prune());
        }
        assertThat(Plumtree.shortCacheTtlMillis(config())).isEqualTo(1000); // 4 x (50 ms IHAVE + 200 ms GRAFT wait)
        Graft graft = new Graft(Optional.of(new MessageId(ORIGIN, 1)), 2);

        assertThat(receive(p, T0 + 900, B, graft)).containsExactly(send(B, gossip(1, 2)));
        assertThat(receive(p, T0 + 1500, B, graft)).isEmpty();
        assertThat(p.cachedCount()).isZero();
        // the same payload on an ordinary channel stays for the whole cache TTL (10 s here)
        assertThat(receive(other, T0 + 1500, B, graft)).containsExactly(send(B, gossip(1, 2)));
    }

    @Test
    void cacheIsBoundedByCountButDeliveryStaysAtMostOnce() {
        Plumtree p = withNeighbours(config(2, 100, Duration.ofMillis(50)), A, B);
        for (int i = 1; i <= 5; i++) {
            receive(p, T0, A, gossip(i, 1));
        }

        assertThat(p.cachedCount()).isEqualTo(2);
        assertThat(receive(p, T0, B, gossip(1, 1))).noneMatch(e -> e instanceof Notify);
        assertThat(p.stats().delivered()).isEqualTo(5);
    }

    @Test
    void outOfOrderSequencesAreEachDeliveredOnce() {
        Plumtree p = withNeighbours(config(), A);
        for (long seq : new long[] {3, 1, 5, 2, 4, 3, 1}) {
            receive(p, T0, A, gossip(seq, 1));
        }

        assertThat(p.stats().delivered()).isEqualTo(5);
        assertThat(p.stats().duplicatesReceived()).isEqualTo(2);
    }

    @Test
    void messagesFromStrangersAreDeliveredButShapeNoLinks() {
        Plumtree p = withNeighbours(config(), A);
        NodeId stranger = node("stranger");

        List<Effect<PlumtreeMessage>> out = receive(p, T0, stranger, gossip(1, 1));
        out.addAll(receive(p, T0, stranger, gossip(1, 1)));
        out.addAll(receive(p, T0, stranger, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 9), 1)))));
        out.addAll(receive(p, T0, stranger, new Graft(Optional.of(new MessageId(ORIGIN, 1)), 1)));

        assertThat(out).containsExactly(new Notify<>(new Deliver(new MessageId(ORIGIN, 1), 7, new byte[] {1}, 1)),
                send(A, gossip(1, 2)));
        assertThat(p.eagerPushPeers()).containsExactly(A);
        assertThat(p.missingCount()).isZero();
    }

    @Test
    void zeroIHaveIntervalAnnouncesAtOnce() {
        Plumtree p = withNeighbours(config(100, 100, Duration.ZERO), A, B);
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> out = receive(p, T0, A, gossip(1, 1));

        assertThat(out).contains(send(B, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 1), 2)))));
        assertThat(out).noneMatch(e -> e instanceof Schedule);
    }

    @Test
    void lastBroadcastBeforeLeavingPushesThePayloadOnLazyLinksToo() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, new Prune());
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> out = p.lastBroadcast(T0, 7, new byte[] {9});

        MessageId id = new MessageId(SELF, 1);
        assertThat(sends(out)).containsExactlyInAnyOrder(send(A, new Gossip(id, 1, 7, new byte[] {9})),
                send(B, new Gossip(id, 1, 7, new byte[] {9})));
    }

    static Plumtree optimising(NodeId... peers) {
        return withNeighbours(new PlumtreeConfig(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(50),
                100, Duration.ofSeconds(10), 100, 10, 100, 2, Duration.ofMinutes(1)), peers);
    }

    @Test
    void announcementOnAMuchShorterPathMovesTheTreeLinkToTheAnnouncer() {
        Plumtree p = optimising(A, B);
        receive(p, T0, A, gossip(1, 6)); // A: tree link, 6 hops
        receive(p, T0, B, new Prune());  // B: lazy

        List<Effect<PlumtreeMessage>> out = receive(p, T0 + 50, B, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 1), 3))));

        assertThat(out).containsExactly(send(B, new Graft(Optional.empty(), 3)), send(A, new Prune()));
        assertThat(p.eagerPushPeers()).containsExactly(B);
        assertThat(p.lazyPushPeers()).containsExactly(A);
    }

    @Test
    void announcementOnASlightlyShorterPathChangesNothing() {
        Plumtree p = optimising(A, B);
        receive(p, T0, A, gossip(1, 4));
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> out = receive(p, T0 + 50, B, new IHave(List.of(new Announcement(new MessageId(ORIGIN, 1), 3))));

        assertThat(out).isEmpty();
        assertThat(p.eagerPushPeers()).containsExactly(A);
    }

    @Test
    void graftWithoutAMessageOnlyMakesTheLinkATreeLink() {
        Plumtree p = withNeighbours(config(), A, B);
        receive(p, T0, A, gossip(1, 1));
        receive(p, T0, B, new Prune());

        List<Effect<PlumtreeMessage>> out = receive(p, T0, B, new Graft(Optional.empty(), 2));

        assertThat(out).isEmpty();
        assertThat(p.eagerPushPeers()).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void linkEventsAreLeftToTheOverlay() {
        Plumtree p = withNeighbours(config(), A);

        p.handle(T0, new Event.LinkDown<>(A));
        p.handle(T0, new Event.LinkUp<>(B));

        assertThat(p.eagerPushPeers()).containsExactly(A);
    }
}
