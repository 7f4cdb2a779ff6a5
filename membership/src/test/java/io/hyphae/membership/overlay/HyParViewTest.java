package io.hyphae.membership.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.overlay.HyParViewMessage.Disconnect;
import io.hyphae.membership.overlay.HyParViewMessage.ForwardJoin;
import io.hyphae.membership.overlay.HyParViewMessage.Join;
import io.hyphae.membership.overlay.HyParViewMessage.Neighbor;
import io.hyphae.membership.overlay.HyParViewMessage.NeighborReply;
import io.hyphae.membership.overlay.HyParViewMessage.Shuffle;
import io.hyphae.membership.overlay.HyParViewMessage.ShuffleReply;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The HyParView state machine on its own: events in, effects out, no network. */
class HyParViewTest {

    private static final HyParViewConfig CONFIG = HyParViewConfig.defaults();
    private final NodeId self = node("self");
    private final HyParView hv = new HyParView(self, CONFIG, new SplittableRandom(3));

    private static NodeId node(String name) {
        return new NodeId(name, new HostAndPort("127.0.0.1", 4000 + Math.abs(name.hashCode() % 1000)), 1);
    }

    private static List<NodeId> nodes(String prefix, int n) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(node(prefix + i));
        }
        return out;
    }

    private List<Effect<HyParViewMessage>> receive(NodeId from, HyParViewMessage m) {
        return hv.handle(0, new Event.Received<>(from, m));
    }

    private void makeNeighbours(List<NodeId> peers) {
        for (NodeId p : peers) {
            receive(p, new Neighbor(true));
        }
    }

    /** Fills the passive view through the end of a SHUFFLE walk. */
    private void makePassive(List<NodeId> peers) {
        receive(node("walker"), new Shuffle(node("origin"), 1, peers));
        assertThat(hv.passiveView()).containsAll(peers);
    }

    private static List<HyParViewMessage> sentTo(List<Effect<HyParViewMessage>> effects, NodeId to) {
        List<HyParViewMessage> out = new ArrayList<>();
        for (Effect<HyParViewMessage> e : effects) {
            if (e instanceof Effect.Send<HyParViewMessage> s && s.to().equals(to)) {
                out.add(s.message());
            }
        }
        return out;
    }

    private static long count(List<Effect<HyParViewMessage>> effects, Class<?> type) {
        return effects.stream().filter(type::isInstance).count();
    }

    @Test
    void joinSendsJoinToTheContactAndTakesItAsNeighbour() {
        // Given a fresh node and one contact
        NodeId contact = node("contact");

        // When it joins
        List<Effect<HyParViewMessage>> out = hv.join(List.of(contact));

        // Then it sends JOIN, holds a link, reports the neighbour and starts its rounds
        assertThat(sentTo(out, contact)).containsExactly(new Join());
        assertThat(out).contains(new Effect.Connect<>(contact),
                new Effect.Notify<>(new OverlayNotification.NeighbourUp(contact)));
        assertThat(count(out, Effect.Schedule.class)).isEqualTo(1);
        assertThat(hv.activeView()).containsExactly(contact);
    }

    @Test
    void contactTakesTheJoiningNodeAndStartsAForwardJoinWalkThroughEachOtherNeighbour() {
        // Given a node with three neighbours
        List<NodeId> neighbours = nodes("a", 3);
        makeNeighbours(neighbours);
        NodeId newNode = node("new");

        // When a new node joins through it
        List<Effect<HyParViewMessage>> out = receive(newNode, new Join());

        // Then the new node is a neighbour and each old neighbour gets FORWARD_JOIN with ttl ARWL
        assertThat(hv.activeView()).contains(newNode);
        for (NodeId n : neighbours) {
            assertThat(sentTo(out, n)).containsExactly(new ForwardJoin(newNode, CONFIG.activeRandomWalkLength()));
        }
        assertThat(sentTo(out, newNode)).isEmpty();
    }

    @Test
    void forwardJoinWalkEndsWithTheNewNodeInTheActiveViewAndAHighPriorityNeighbor() {
        // Given a node with two neighbours
        makeNeighbours(nodes("a", 2));
        NodeId newNode = node("new");

        // When a FORWARD_JOIN arrives with ttl 0
        List<Effect<HyParViewMessage>> out = receive(node("a0"), new ForwardJoin(newNode, 0));

        // Then it takes the new node, and tells it with a NEIGHBOR it always accepts
        assertThat(hv.activeView()).contains(newNode);
        assertThat(sentTo(out, newNode)).containsExactly(new Neighbor(true));
    }

    @Test
    void forwardJoinAtPrwlLeavesTheNewNodeInThePassiveViewAndWalksOn() {
        // Given a node with two neighbours
        List<NodeId> neighbours = nodes("a", 2);
        makeNeighbours(neighbours);
        NodeId newNode = node("new");

        // When the walk reaches it with ttl == PRWL from a0
        List<Effect<HyParViewMessage>> out = receive(neighbours.get(0),
                new ForwardJoin(newNode, CONFIG.passiveRandomWalkLength()));

        // Then it keeps the new node as a backup and forwards the walk to the other neighbour
        assertThat(hv.passiveView()).contains(newNode);
        assertThat(hv.activeView()).doesNotContain(newNode);
        assertThat(sentTo(out, neighbours.get(1)))
                .containsExactly(new ForwardJoin(newNode, CONFIG.passiveRandomWalkLength() - 1));
    }

    @Test
    void fullActiveViewDropsOneRandomNeighbourWithDisconnectToMakeRoom() {
        // Given a full active view
        List<NodeId> neighbours = nodes("a", CONFIG.activeViewSize());
        makeNeighbours(neighbours);

        // When one more node joins through it
        List<Effect<HyParViewMessage>> out = receive(node("new"), new Join());

        // Then exactly one old neighbour is dropped: DISCONNECT, link closed, reported, kept as backup
        List<NodeId> dropped = neighbours.stream().filter(n -> !hv.isActive(n)).toList();
        assertThat(dropped).hasSize(1);
        NodeId d = dropped.get(0);
        assertThat(sentTo(out, d)).contains(new Disconnect(false));
        assertThat(out).contains(new Effect.Disconnect<>(d), new Effect.Notify<>(new OverlayNotification.NeighbourDown(d)));
        assertThat(hv.passiveView()).contains(d);
        assertThat(hv.activeSize()).isEqualTo(CONFIG.activeViewSize());
    }

    @Test
    void lowPriorityNeighborIsRefusedByAFullActiveViewAndAcceptedWithAFreeSlot() {
        // Given a full active view
        makeNeighbours(nodes("a", CONFIG.activeViewSize()));
        NodeId asker = node("asker");

        // When a low priority NEIGHBOR arrives, then it is refused
        assertThat(sentTo(receive(asker, new Neighbor(false)), asker)).containsExactly(new NeighborReply(false));
        assertThat(hv.isActive(asker)).isFalse();

        // And when a slot frees up (a neighbour disconnects), the same request is accepted
        receive(node("a0"), new Disconnect(false));
        assertThat(sentTo(receive(asker, new Neighbor(false)), asker)).containsExactly(new NeighborReply(true));
        assertThat(hv.isActive(asker)).isTrue();
    }

    @Test
    void highPriorityNeighborIsAcceptedEvenByAFullActiveView() {
        // Given a full active view
        makeNeighbours(nodes("a", CONFIG.activeViewSize()));
        NodeId lonely = node("lonely");

        // When a node with an empty active view asks with high priority
        List<Effect<HyParViewMessage>> out = receive(lonely, new Neighbor(true));

        // Then it is accepted, at the price of one old neighbour
        assertThat(sentTo(out, lonely)).containsExactly(new NeighborReply(true));
        assertThat(hv.isActive(lonely)).isTrue();
        assertThat(hv.activeSize()).isEqualTo(CONFIG.activeViewSize());
    }

    @Test
    void failedNeighbourIsReplacedFromThePassiveViewWithHighPriorityWhenNoneIsLeft() {
        // Given one neighbour and one backup
        NodeId neighbour = node("a0");
        NodeId backup = node("p0");
        makeNeighbours(List.of(neighbour));
        makePassive(List.of(backup));

        // When the link to the neighbour fails
        List<Effect<HyParViewMessage>> out = hv.handle(0, new Event.LinkDown<>(neighbour));

        // Then it is reported down, forgotten, and the backup is asked with high priority
        assertThat(out).contains(new Effect.Notify<>(new OverlayNotification.NeighbourDown(neighbour)));
        assertThat(hv.activeView()).isEmpty();
        assertThat(hv.passiveView()).doesNotContain(neighbour);
        assertThat(sentTo(out, backup)).containsExactly(new Neighbor(true));

        // And when the backup accepts, it becomes a neighbour
        List<Effect<HyParViewMessage>> accepted = receive(backup, new NeighborReply(true));
        assertThat(hv.activeView()).containsExactly(backup);
        assertThat(accepted).contains(new Effect.Notify<>(new OverlayNotification.NeighbourUp(backup)));
    }

    @Test
    void refusedNeighborRequestMovesOnToAnotherBackup() {
        // Given two neighbours and two backups
        makeNeighbours(nodes("a", 2));
        List<NodeId> backups = nodes("p", 2);
        makePassive(backups);
        // (asking all five at once: the view has 3 free slots but only 2 backups)
        List<Effect<HyParViewMessage>> out = hv.handle(0, new Event.LinkDown<>(node("a0")));
        List<NodeId> asked = backups.stream().filter(b -> !sentTo(out, b).isEmpty()).toList();
        assertThat(asked).containsExactlyInAnyOrderElementsOf(backups);

        // When one refuses
        List<Effect<HyParViewMessage>> refused = receive(backups.get(0), new NeighborReply(false));

        // Then it stays a backup, its temporary link is closed, and no one else is left to ask
        assertThat(hv.passiveView()).contains(backups.get(0));
        assertThat(refused).contains(new Effect.Disconnect<>(backups.get(0)));
        assertThat(hv.activeView()).containsExactly(node("a1"));
    }

    @Test
    void shuffleTickSendsASampleWithItselfToANeighbour() {
        // Given neighbours and backups
        List<NodeId> neighbours = nodes("a", 4);
        makeNeighbours(neighbours);
        makePassive(nodes("p", 10));

        // When the round timer fires
        List<Effect<HyParViewMessage>> out = hv.handle(0,
                new Event.TimerFired<>(new HyParViewTimer.ShuffleTick()));

        // Then one SHUFFLE of self + ka active + kp passive goes to a neighbour with ttl shuffleTtl
        List<Shuffle> shuffles = out.stream()
                .filter(e -> e instanceof Effect.Send<HyParViewMessage> s && s.message() instanceof Shuffle)
                .map(e -> (Shuffle) ((Effect.Send<HyParViewMessage>) e).message()).toList();
        assertThat(shuffles).hasSize(1);
        Shuffle s = shuffles.get(0);
        assertThat(s.origin()).isEqualTo(self);
        assertThat(s.ttl()).isEqualTo(CONFIG.shuffleTtl());
        assertThat(s.nodes()).contains(self).hasSize(CONFIG.shuffleSampleSize()).doesNotHaveDuplicates();
        assertThat(out).contains(new Effect.Schedule<>(new HyParViewTimer.ShuffleTick(), CONFIG.shuffleInterval()));
    }

    @Test
    void shuffleWalkIsForwardedWhileItsTtlLasts() {
        // Given two neighbours
        List<NodeId> neighbours = nodes("a", 2);
        makeNeighbours(neighbours);
        NodeId origin = node("origin");
        List<NodeId> sample = List.of(origin, node("x"));

        // When a SHUFFLE with ttl 3 arrives from a0
        List<Effect<HyParViewMessage>> out = receive(neighbours.get(0), new Shuffle(origin, 3, sample));

        // Then it goes on to a1 with ttl 2, and nothing is merged yet
        assertThat(sentTo(out, neighbours.get(1))).containsExactly(new Shuffle(origin, 2, sample));
        assertThat(hv.passiveView()).doesNotContain(node("x"));
    }

    @Test
    void lastNodeOfAShuffleWalkRepliesWithAsManyBackupsAndMergesTheSample() {
        // Given backups and one neighbour
        makeNeighbours(nodes("a", 1));
        List<NodeId> mine = nodes("p", 6);
        makePassive(mine);
        NodeId origin = node("origin");
        List<NodeId> sample = List.of(origin, node("x"), node("y"));

        // When the walk ends here
        List<Effect<HyParViewMessage>> out = receive(node("a0"), new Shuffle(origin, 1, sample));

        // Then the origin gets as many backups back, over a temporary link, and the sample is kept
        List<HyParViewMessage> replies = sentTo(out, origin);
        assertThat(replies).hasSize(1);
        assertThat(((ShuffleReply) replies.get(0)).nodes()).hasSize(3).isSubsetOf(mine);
        assertThat(out).contains(new Effect.Disconnect<>(origin));
        assertThat(hv.passiveView()).containsAll(sample);
    }

    @Test
    void shuffleReplyEvictsWhatThisNodeSentFirstWhenThePassiveViewIsFull() {
        // Given full views (so the round asks nobody to become a neighbour), after a SHUFFLE went out
        List<NodeId> neighbours = nodes("a", CONFIG.activeViewSize());
        makeNeighbours(neighbours);
        List<NodeId> backups = nodes("p", CONFIG.passiveViewSize());
        makePassive(backups.subList(0, 10));
        makePassive(backups.subList(10, 20));
        makePassive(backups.subList(20, 30));
        List<Effect<HyParViewMessage>> tick = hv.handle(0, new Event.TimerFired<>(new HyParViewTimer.ShuffleTick()));
        Shuffle sent = tick.stream()
                .filter(e -> e instanceof Effect.Send<HyParViewMessage> s && s.message() instanceof Shuffle)
                .map(e -> (Shuffle) ((Effect.Send<HyParViewMessage>) e).message()).findFirst().orElseThrow();
        List<NodeId> sentBackups = sent.nodes().stream().filter(backups::contains).toList();

        // When the reply brings as many new nodes
        List<NodeId> fresh = nodes("f", sentBackups.size());
        receive(node("replier"), new ShuffleReply(fresh));

        // Then the fresh nodes replaced exactly the backups that were sent away
        assertThat(hv.passiveView()).containsAll(fresh).doesNotContainAnyElementsOf(sentBackups)
                .hasSize(CONFIG.passiveViewSize());
    }

    @Test
    void shuffleFromANodeThatIsNotANeighbourTellsItToDropUs() {
        // Given a node that does not hold "stranger" as a neighbour
        NodeId stranger = node("stranger");

        // When a SHUFFLE walk arrives over stranger's link (so stranger holds us as a neighbour)
        List<Effect<HyParViewMessage>> out = receive(stranger, new Shuffle(node("origin"), 1, List.of(node("origin"))));

        // Then stranger is told to drop us, so the views become symmetric again
        assertThat(sentTo(out, stranger)).containsExactly(new Disconnect(false));
        assertThat(out).contains(new Effect.Disconnect<>(stranger));
    }

    @Test
    void disconnectMovesTheNeighbourToThePassiveViewUnlessItIsLeaving() {
        // Given two neighbours
        makeNeighbours(nodes("a", 2));

        // When one disconnects to make room, and the other leaves the cluster
        receive(node("a0"), new Disconnect(false));
        receive(node("a1"), new Disconnect(true));

        // Then the first is a backup, the second forgotten
        assertThat(hv.activeView()).isEmpty();
        assertThat(hv.passiveView()).contains(node("a0")).doesNotContain(node("a1"));
    }

    @Test
    void leaveTellsEveryNeighbourItIsLeavingAndClosesTheLinks() {
        // Given three neighbours
        List<NodeId> neighbours = nodes("a", 3);
        makeNeighbours(neighbours);

        // When the node leaves
        List<Effect<HyParViewMessage>> out = hv.leave();

        // Then each gets DISCONNECT(leaving) and its link closed; later messages are ignored
        for (NodeId n : neighbours) {
            assertThat(sentTo(out, n)).containsExactly(new Disconnect(true));
            assertThat(out).contains(new Effect.Disconnect<>(n));
        }
        assertThat(hv.activeView()).isEmpty();
        assertThat(receive(node("late"), new Join())).isEmpty();
        assertThatThrownBy(() -> hv.join(List.of(node("a0")))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nodeThatLostItsLastNeighbourWithNoBackupsAsksForContacts() {
        // Given a single neighbour and no backups
        makeNeighbours(nodes("a", 1));

        // When that link fails
        List<Effect<HyParViewMessage>> out = hv.handle(0, new Event.LinkDown<>(node("a0")));

        // Then the node says it needs contacts
        assertThat(out).contains(new Effect.Notify<>(new OverlayNotification.NeedsContacts()));
    }

    @Test
    void rejoinWithFreshSeedsOnlyUsesSeedsThatAreNotNeighboursAlready() {
        // Given a node with one neighbour that asks for contacts
        NodeId neighbour = node("a0");
        hv.join(List.of(neighbour));

        // When discovery hands it the neighbour again, then nothing is sent
        assertThat(sentTo(hv.join(List.of(neighbour, self)), neighbour)).isEmpty();

        // And when it hands a new node, JOIN goes there
        NodeId fresh = node("fresh");
        assertThat(sentTo(hv.join(List.of(neighbour, fresh)), fresh)).containsExactly(new Join());
    }

    @Test
    void newIncarnationOfANeighbourReplacesTheOldOne() {
        // Given a neighbour
        NodeId old = node("a0");
        makeNeighbours(List.of(old));
        NodeId restarted = new NodeId(old.name(), old.address(), old.incarnation() + 1);

        // When its new incarnation joins through us
        List<Effect<HyParViewMessage>> out = receive(restarted, new Join());

        // Then the old one is reported down and only the new one remains
        assertThat(out).contains(new Effect.Notify<>(new OverlayNotification.NeighbourDown(old)));
        assertThat(hv.activeView()).containsExactly(restarted);
    }

    @Test
    void neverTakesItselfIntoAView() {
        // When its own id comes back in a walk, a sample and a join
        receive(node("a0"), new ForwardJoin(self, 0));
        receive(node("a0"), new Shuffle(node("o"), 1, List.of(self, node("o"))));
        hv.join(List.of(self));

        // Then it is in neither view
        assertThat(hv.activeView()).doesNotContain(self);
        assertThat(hv.passiveView()).doesNotContain(self);
    }
}
