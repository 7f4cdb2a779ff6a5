package io.hyphae.membership.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Effect.Notify;
import io.hyphae.membership.core.Effect.Schedule;
import io.hyphae.membership.core.Effect.Send;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.directory.DirectoryMessage.Sync;
import io.hyphae.membership.directory.DirectoryMessage.SyncReply;
import io.hyphae.membership.directory.DirectoryMessage.Update;
import io.hyphae.membership.directory.DirectoryNotification.Broadcast;
import io.hyphae.membership.directory.DirectoryNotification.MemberDown;
import io.hyphae.membership.directory.DirectoryNotification.MemberUp;
import io.hyphae.membership.directory.DirectoryTimer.AntiEntropyTick;
import io.hyphae.membership.directory.DirectoryTimer.SuspicionTimeout;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemberDirectoryTest {

    static final NodeId SELF = node("self", 1);
    static final NodeId A = node("a", 1);
    static final NodeId B = node("b", 1);
    /** An overlay neighbour the directory holds no entry for. */
    static final NodeId NEIGHBOUR = node("neighbour", 1);
    static final long T0 = 50_000;
    static final DirectoryConfig CONFIG = new DirectoryConfig(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3), 100,
            Duration.ofMinutes(1));

    static NodeId node(String name, long incarnation) {
        return new NodeId(name, new HostAndPort("10.0.0.1", 7000), incarnation);
    }

    static MemberDirectory started(NodeId self, DirectoryConfig config) {
        MemberDirectory d = new MemberDirectory(self, config, new SplittableRandom(1));
        d.start(T0);
        return d;
    }

    /**
     * Started, with a neighbour, a second before {@code T0}: a node without one is the likeliest one cut
     * off, and judges nobody DOWN before {@link MemberDirectory#CUT_OFF_PATIENCE} timeouts.
     */
    static MemberDirectory connected(NodeId self, DirectoryConfig config) {
        MemberDirectory d = new MemberDirectory(self, config, new SplittableRandom(1));
        d.start(T0 - 1000);
        d.neighbourUp(T0 - 1000, NEIGHBOUR);
        return d;
    }

    static List<Effect<DirectoryMessage>> update(MemberDirectory d, long now, Member... members) {
        return d.handle(now, new Event.Received<>(A, new Update(List.of(members))));
    }

    static List<Object> notifications(List<Effect<DirectoryMessage>> effects) {
        return effects.stream().filter(e -> e instanceof Notify).map(e -> (Object) ((Notify<?>) e).notification()).toList();
    }

    static Member alive(NodeId id, long version) {
        return new Member(id, MemberStatus.ALIVE, version);
    }

    static Member member(NodeId id, MemberStatus status, long version) {
        return new Member(id, status, version);
    }

    @Test
    void startReportsThisNodeUpAndStartsAntiEntropyAndProbing() {
        MemberDirectory d = new MemberDirectory(SELF, CONFIG, new SplittableRandom(1));

        List<Effect<DirectoryMessage>> out = d.start(T0);

        assertThat(notifications(out)).containsExactly(new MemberUp(SELF));
        assertThat(out).anyMatch(e -> e instanceof Schedule<?> s && s.timer() instanceof AntiEntropyTick
                && s.after().compareTo(Duration.ofSeconds(1)) <= 0);
        assertThat(out).anyMatch(e -> e instanceof Schedule<?> s && s.timer() instanceof DirectoryTimer.ProbeTick);
        assertThat(d.liveMembers()).containsExactly(SELF);
    }

    @Test
    void firstNeighbourGetsThisNodesEntryAnnouncedAndASync() {
        MemberDirectory d = started(SELF, CONFIG);

        List<Effect<DirectoryMessage>> first = d.neighbourUp(T0, A);
        List<Effect<DirectoryMessage>> second = d.neighbourUp(T0, B);

        assertThat(first).hasSize(2);
        assertThat(first.get(0)).isEqualTo(new Notify<>(new Broadcast(new Update(List.of(alive(SELF, 1))))));
        assertThat(first.get(1)).isInstanceOfSatisfying(Send.class, s -> assertThat(s.message()).isInstanceOf(Sync.class));
        assertThat(notifications(second)).isEmpty();
    }

    @Test
    void newMemberIsReportedUpExactlyOnce() {
        MemberDirectory d = started(SELF, CONFIG);

        List<Object> first = notifications(update(d, T0, alive(A, 1)));
        List<Object> again = notifications(update(d, T0, alive(A, 1)));
        List<Object> newerVersion = notifications(update(d, T0, alive(A, 2)));

        assertThat(first).containsExactly(new MemberUp(A));
        assertThat(again).isEmpty();
        assertThat(newerVersion).isEmpty();
        assertThat(d.member(MemberKey.of(A))).contains(alive(A, 2));
    }

    @Test
    void staleIncarnationIsDroppedAndANewerOneReplacesTheOld() {
        MemberDirectory d = started(SELF, CONFIG);
        NodeId restarted = node("a", 2);
        update(d, T0, alive(A, 5));

        List<Object> replaced = notifications(update(d, T0, alive(restarted, 1)));
        List<Object> stale = notifications(update(d, T0, alive(A, 9)));

        assertThat(replaced).containsExactly(new MemberDown(A, DownReason.REPLACED), new MemberUp(restarted));
        assertThat(stale).isEmpty();
        assertThat(d.liveMembers()).containsExactly(restarted, SELF);
    }

    @Test
    void suspicionRaisedHereSpreadsAndBecomesDownAfterTheTimeout() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 3));

        List<Effect<DirectoryMessage>> raised = d.suspect(T0 + 10, A);

        SuspicionTimeout timer = new SuspicionTimeout(MemberKey.of(A), 1, 3);
        assertThat(raised).containsExactly(new Schedule<>(timer, Duration.ofSeconds(5)),
                new Notify<>(new Broadcast(new Update(List.of(member(A, MemberStatus.SUSPECT, 3))))));
        assertThat(d.liveMembers()).contains(A); // suspected is still live
        List<Object> fired = notifications(d.handle(T0 + 5010, new Event.TimerFired<>(timer)));
        assertThat(fired).containsExactly(new MemberDown(A, DownReason.UNREACHABLE),
                new Broadcast(new Update(List.of(member(A, MemberStatus.DOWN, 3)))));
        assertThat(d.liveMembers()).containsExactly(SELF);
    }

    @Test
    void suspicionHeardFromOthersBecomesDownLocallyWithoutAnotherBroadcast() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 3));
        update(d, T0, member(A, MemberStatus.SUSPECT, 3));

        List<Object> fired = notifications(d.handle(T0 + 5000, new Event.TimerFired<>(new SuspicionTimeout(MemberKey.of(A), 1, 3))));

        assertThat(fired).containsExactly(new MemberDown(A, DownReason.UNREACHABLE));
    }

    @Test
    void suspicionTimerThatFiresLateWaitsOneMoreTimeoutBeforeJudging() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 3));
        d.suspect(T0, A);
        SuspicionTimeout timer = new SuspicionTimeout(MemberKey.of(A), 1, 3);

        // due at T0 + 5 s, run 4 s late: this node was starved, and the refutation may be queued behind the timer
        List<Effect<DirectoryMessage>> late = d.handle(T0 + 9000, new Event.TimerFired<>(timer));
        assertThat(late).containsExactly(new Schedule<>(timer, Duration.ofSeconds(5)));
        assertThat(d.liveMembers()).contains(A);

        // the second timer runs on time, and nothing refuted the suspicion meanwhile
        assertThat(notifications(d.handle(T0 + 14_000, new Event.TimerFired<>(timer))))
                .contains(new MemberDown(A, DownReason.UNREACHABLE));
    }

    @Test
    void aNodeWhoseLoopLaggedDuringASuspicionJudgesOnlyAfterAWholeTimeoutOfHealth() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        d.suspect(T0, A);
        SuspicionTimeout timer = new SuspicionTimeout(MemberKey.of(A), 1, 1);

        // 3 s into the suspicion the driver saw a timer fire 2 s late: refutations may sit unread
        d.observeLag(T0 + 3000, 2000);
        List<Effect<DirectoryMessage>> first = d.handle(T0 + 5000, new Event.TimerFired<>(timer));
        assertThat(first).containsExactly(new Schedule<>(timer, Duration.ofSeconds(5)));
        assertThat(d.liveMembers()).contains(A);

        // lag under a tenth of the timeout is ordinary jitter, and does not postpone again
        d.observeLag(T0 + 7000, d.lagLimitMillis());
        assertThat(notifications(d.handle(T0 + 10_000, new Event.TimerFired<>(timer))))
                .contains(new MemberDown(A, DownReason.UNREACHABLE));
        assertThat(d.verdictsPostponed()).isEqualTo(1);
    }

    @Test
    void aNodeThatLaggedRaisesNoSuspicionForATimeoutButStillRedials() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 1), alive(B, 1));
        d.observeLag(T0, 2000);

        // its link to A broke 4 s later: most likely its own doing, so no SUSPECT, but the redial
        List<Effect<DirectoryMessage>> broken = d.linkBroken(T0 + 4000, A);
        assertThat(notifications(broken)).isEmpty();
        assertThat(sent(broken, A)).singleElement().isInstanceOf(Sync.class);
        assertThat(d.member(MemberKey.of(A))).contains(alive(A, 1));
        assertThat(d.suspicionsWithheld()).isEqualTo(1);

        // a timeout after the lag it suspects again
        assertThat(notifications(d.linkBroken(T0 + 5000, B)))
                .containsExactly(new Broadcast(new Update(List.of(member(B, MemberStatus.SUSPECT, 1)))));
    }

    @Test
    void aBrokenLinkIsRedialledAtMostOncePerSuspicionTimeout() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 1));

        assertThat(sent(d.linkBroken(T0, A), A)).hasSize(1);
        // the redial failed at once (say A's next incarnation answered at its address): no loop
        assertThat(sent(d.linkBroken(T0 + 1, A), A)).isEmpty();
        assertThat(sent(d.linkBroken(T0 + 4999, A), A)).isEmpty();
        assertThat(sent(d.linkBroken(T0 + 5000, A), A)).hasSize(1);
    }

    @Test
    void aNodeThatStaysStarvedNeverJudgesButItsRefutationStillCounts() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        update(d, T0, member(A, MemberStatus.SUSPECT, 1));
        SuspicionTimeout timer = new SuspicionTimeout(MemberKey.of(A), 1, 1);

        for (long t = T0 + 5000; t <= T0 + 60_000; t += 5000) {
            d.observeLag(t - 1000, 1000);
            assertThat(notifications(d.handle(t, new Event.TimerFired<>(timer)))).isEmpty();
        }
        update(d, T0 + 61_000, alive(A, 2));
        assertThat(d.member(MemberKey.of(A))).contains(alive(A, 2));
    }

    @Test
    void aNodeWithoutNeighboursWaitsItsPatienceBeforeJudging() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        d.neighbourDown(T0 + 10, NEIGHBOUR); // its only neighbour's link broke: cut off, or A's machine died
        d.suspect(T0 + 10, A);
        SuspicionTimeout timer = new SuspicionTimeout(MemberKey.of(A), 1, 1);
        long timeout = CONFIG.suspicionTimeout().toMillis();

        for (int i = 1; i < MemberDirectory.CUT_OFF_PATIENCE; i++) {
            assertThat(notifications(d.handle(T0 + 10 + i * timeout, new Event.TimerFired<>(timer)))).isEmpty();
        }
        // still alone after the patience: the other end is gone for all it can tell (a 2-node cluster)
        assertThat(notifications(d.handle(T0 + 10 + MemberDirectory.CUT_OFF_PATIENCE * timeout,
                new Event.TimerFired<>(timer)))).contains(new MemberDown(A, DownReason.UNREACHABLE));
    }

    @Test
    void aNodeBackFromBeingCutOffLetsItsSuspicionsStandAWholeTimeoutMore() {
        MemberDirectory d = connected(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        d.neighbourDown(T0 + 10, NEIGHBOUR);
        d.suspect(T0 + 10, A);
        SuspicionTimeout timer = new SuspicionTimeout(MemberKey.of(A), 1, 1);

        d.neighbourUp(T0 + 4000, B); // connected again: A's refutation may be on its way here
        assertThat(notifications(d.handle(T0 + 5010, new Event.TimerFired<>(timer)))).isEmpty();
        assertThat(notifications(d.handle(T0 + 10_010, new Event.TimerFired<>(timer))))
                .contains(new MemberDown(A, DownReason.UNREACHABLE));
    }

    @Test
    void suspectedNodeRefutesWithAHigherVersion() {
        MemberDirectory d = started(SELF, CONFIG);

        List<Object> out = notifications(update(d, T0, member(SELF, MemberStatus.SUSPECT, 1)));

        assertThat(out).containsExactly(new Broadcast(new Update(List.of(alive(SELF, 2)))));
        assertThat(d.member(MemberKey.of(SELF))).contains(alive(SELF, 2));
        assertThat(notifications(update(d, T0, member(SELF, MemberStatus.SUSPECT, 1)))).isEmpty();
    }

    @Test
    void refutationArrivingInTimeCancelsTheSuspicion() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        d.suspect(T0, A);

        List<Object> refuted = notifications(update(d, T0 + 100, alive(A, 2)));
        List<Object> fired = notifications(d.handle(T0 + 5000, new Event.TimerFired<>(new SuspicionTimeout(MemberKey.of(A), 1, 1))));

        assertThat(refuted).isEmpty();
        assertThat(fired).isEmpty();
        assertThat(d.liveMembers()).contains(A);
    }

    @Test
    void othersCannotChangeThisNodesEntryExceptBySuspicionOrDown() {
        MemberDirectory d = started(SELF, CONFIG);

        update(d, T0, alive(SELF, 7), member(SELF, MemberStatus.LEFT, 7), alive(node("self", 99), 1));

        assertThat(d.member(MemberKey.of(SELF))).contains(alive(SELF, 1));
    }

    @Test
    void gracefulLeaveIsBroadcastAtOnceAndReportedAsLeft() {
        MemberDirectory leaver = started(A, CONFIG);
        MemberDirectory other = started(SELF, CONFIG);
        update(other, T0, alive(A, 1));

        List<Object> out = notifications(leaver.leave(T0 + 1));
        List<Object> atOther = notifications(update(other, T0 + 2, member(A, MemberStatus.LEFT, 2)));

        assertThat(out).containsExactly(new MemberDown(A, DownReason.LEFT), new Broadcast(new Update(List.of(member(A, MemberStatus.LEFT, 2)))));
        assertThat(atOther).containsExactly(new MemberDown(A, DownReason.LEFT));
        // a stale copy of the live entry does not bring it back
        assertThat(notifications(update(other, T0 + 3, alive(A, 1)))).isEmpty();
        assertThat(other.liveMembers()).containsExactly(SELF);
    }

    /** The effects' messages sent to {@code to}. */
    static List<DirectoryMessage> sent(List<Effect<DirectoryMessage>> effects, NodeId to) {
        return effects.stream().filter(e -> e instanceof Send<?> s && s.to().equals(to))
                .map(e -> ((Send<DirectoryMessage>) e).message()).toList();
    }

    /** One anti-entropy round from {@code a} to {@code b} (its only neighbour); returns the messages exchanged. */
    static List<DirectoryMessage> syncRound(MemberDirectory a, NodeId aId, MemberDirectory b, NodeId bId, long now) {
        List<DirectoryMessage> exchanged = new java.util.ArrayList<>();
        Sync sync = (Sync) sent(a.handle(now, new Event.TimerFired<>(new AntiEntropyTick())), bId).get(0);
        exchanged.add(sync);
        SyncReply reply = (SyncReply) sent(b.handle(now + 1, new Event.Received<>(aId, sync)), aId).get(0);
        exchanged.add(reply);
        for (DirectoryMessage push : sent(a.handle(now + 2, new Event.Received<>(bId, reply)), bId)) {
            exchanged.add(push);
            b.handle(now + 3, new Event.Received<>(aId, push));
        }
        return exchanged;
    }

    @Test
    void antiEntropyPullsWhatItLacksAndPushesWhatThePeerLacks() {
        MemberDirectory a = started(A, CONFIG);
        MemberDirectory b = started(B, CONFIG);
        NodeId x = node("x", 1);
        NodeId y = node("y", 1);
        update(a, T0, alive(x, 1));
        update(b, T0, alive(y, 4));
        a.neighbourUp(T0, B);

        List<DirectoryMessage> exchanged = syncRound(a, A, b, B, T0 + 1000);

        assertThat(a.liveMembers()).containsExactly(A, B, x, y);
        assertThat(b.liveMembers()).containsExactly(A, B, x, y);
        // the answer carries B's entries in the buckets that differ, the closing push only what B lacked
        assertThat(((SyncReply) exchanged.get(1)).members()).contains(alive(y, 4)).doesNotContain(alive(x, 1), alive(A, 1));
        assertThat(exchanged.get(2)).isInstanceOfSatisfying(Update.class,
                u -> assertThat(u.members()).contains(alive(x, 1), alive(A, 1)).doesNotContain(alive(y, 4), alive(B, 1)));
    }

    @Test
    void directoriesThatAgreeExchangeDigestsOnly() {
        MemberDirectory a = started(A, CONFIG);
        MemberDirectory b = started(B, CONFIG);
        for (int i = 0; i < 50; i++) {
            update(a, T0, alive(node("n" + i, 1), 2));
            update(b, T0, alive(node("n" + i, 1), 2));
        }
        update(a, T0, alive(B, 1));
        update(b, T0, alive(A, 1));
        a.neighbourUp(T0, B);

        List<DirectoryMessage> exchanged = syncRound(a, A, b, B, T0 + 1000);

        assertThat(exchanged).hasSize(2);
        assertThat(((Sync) exchanged.get(0)).digest()).hasSize(8); // 52 entries, a few per bucket
        assertThat(((SyncReply) exchanged.get(1)).members()).isEmpty();
    }

    @Test
    void oneStaleEntrySendsOnlyTheFewEntriesOfItsBucket() {
        MemberDirectory a = started(A, CONFIG);
        MemberDirectory b = started(B, CONFIG);
        for (int i = 0; i < 200; i++) {
            update(a, T0, alive(node("n" + i, 1), 1));
            update(b, T0, alive(node("n" + i, 1), 1));
        }
        update(a, T0, alive(B, 1));
        update(b, T0, alive(A, 1));
        update(b, T0, member(node("n7", 1), MemberStatus.SUSPECT, 1)); // only B heard this suspicion
        a.neighbourUp(T0, B);

        List<DirectoryMessage> exchanged = syncRound(a, A, b, B, T0 + 1000);

        assertThat(((SyncReply) exchanged.get(1)).members()).contains(member(node("n7", 1), MemberStatus.SUSPECT, 1))
                .hasSizeLessThan(20);
        assertThat(exchanged).hasSize(2); // A had nothing newer to push back
        assertThat(a.member(MemberKey.of(node("n7", 1)))).contains(member(node("n7", 1), MemberStatus.SUSPECT, 1));
    }

    @Test
    void aLargeDifferenceIsSyncedInBoundedRounds() {
        DirectoryConfig small = new DirectoryConfig(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3), 40, Duration.ofMinutes(1));
        MemberDirectory a = started(A, small);
        MemberDirectory b = started(B, small);
        for (int i = 0; i < 300; i++) {
            update(b, T0, alive(node("n" + i, 1), 1));
        }
        a.neighbourUp(T0, B);

        int rounds = 0;
        while (a.liveMembers().size() < 302 && rounds < 100) {
            rounds++;
            List<DirectoryMessage> exchanged = syncRound(a, A, b, B, T0 + rounds * 1000L);
            assertThat(((SyncReply) exchanged.get(1)).members()).hasSizeLessThanOrEqualTo(40);
        }

        assertThat(a.liveMembers()).hasSize(302);
        assertThat(b.liveMembers()).hasSize(302);
        assertThat(rounds).isGreaterThanOrEqualTo(300 / 40);
    }

    @Test
    void aSyncWhoseLinkBreaksIsRepeatedToConfirm() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 3));

        List<Effect<DirectoryMessage>> out = d.linkBroken(T0 + 10, A);

        assertThat(d.member(MemberKey.of(A))).contains(member(A, MemberStatus.SUSPECT, 3));
        assertThat(sent(out, A)).singleElement().isInstanceOf(Sync.class);
    }

    @Test
    void aSuspicionRaisedHereIsProbedOnceNotOnEveryFailedProbe() {
        // Given A suspected here after its link broke, and probed with a sync
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 3));
        assertThat(sent(d.linkBroken(T0 + 10, A), A)).singleElement().isInstanceOf(Sync.class);

        // When the probe's own link fails (a dial that fails at once, under a blackhole route)
        List<Effect<DirectoryMessage>> again = d.linkBroken(T0 + 11, A);

        // Then the suspicion stands and A is not dialled again at once (that was a redial loop)
        assertThat(sent(again, A)).isEmpty();
        assertThat(d.member(MemberKey.of(A))).contains(member(A, MemberStatus.SUSPECT, 3));

        // and once A refutes it, a new break is a new suspicion, probed again
        update(d, T0 + 20, alive(A, 4));
        assertThat(sent(d.linkBroken(T0 + 30, A), A)).singleElement().isInstanceOf(Sync.class);
    }

    @Test
    void refusedConnectionMakesThatIncarnationDownAtOnceAndSpreadsIt() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 3));
        d.linkBroken(T0 + 10, A);

        List<Object> out = notifications(d.connectionRefused(T0 + 11, A));

        assertThat(out).containsExactly(new MemberDown(A, DownReason.UNREACHABLE),
                new Broadcast(new Update(List.of(member(A, MemberStatus.DOWN, 3)))));
        assertThat(d.liveMembers()).containsExactly(SELF);
        // the suspicion timer that follows finds it settled
        assertThat(notifications(d.handle(T0 + 5010, new Event.TimerFired<>(new SuspicionTimeout(MemberKey.of(A), 1, 3))))).isEmpty();
    }

    @Test
    void refusedConnectionToAnOlderIncarnationOrAGoneMemberChangesNothing() {
        MemberDirectory d = started(SELF, CONFIG);
        NodeId restarted = node("a", 2);
        update(d, T0, alive(restarted, 1), member(B, MemberStatus.LEFT, 2));

        assertThat(d.connectionRefused(T0 + 1, A)).isEmpty();
        assertThat(d.connectionRefused(T0 + 1, B)).isEmpty();
        assertThat(d.liveMembers()).containsExactly(restarted, SELF);
    }

    @Test
    void tombstonesAreForgottenAfterTheRetention() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        update(d, T0, member(A, MemberStatus.LEFT, 2));

        d.handle(T0 + 30_000, new Event.TimerFired<>(new AntiEntropyTick()));
        assertThat(d.member(MemberKey.of(A))).isPresent();
        d.handle(T0 + 61_000, new Event.TimerFired<>(new AntiEntropyTick()));

        assertThat(d.member(MemberKey.of(A))).isEmpty();
    }

    @Test
    void tombstoneThatChangedAgainIsKeptForTheRetentionOfItsLatestState() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        update(d, T0, member(A, MemberStatus.DOWN, 1));
        update(d, T0 + 40_000, member(A, MemberStatus.LEFT, 2));

        d.handle(T0 + 61_000, new Event.TimerFired<>(new AntiEntropyTick()));
        assertThat(d.member(MemberKey.of(A))).contains(member(A, MemberStatus.LEFT, 2));
        d.handle(T0 + 101_000, new Event.TimerFired<>(new AntiEntropyTick()));

        assertThat(d.member(MemberKey.of(A))).isEmpty();
    }

    @Test
    void nodeDeclaredDownRejoinsAsItsNextIncarnationWithoutReportingTheOthersAgain() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1));
        List<Object> declared = notifications(update(d, T0 + 1, member(SELF, MemberStatus.DOWN, 1)));
        NodeId fresh = node("self", 2);

        List<Object> rejoined = notifications(d.rejoin(T0 + 2, fresh));
        List<Object> announced = notifications(d.neighbourUp(T0 + 3, A));

        assertThat(declared).containsExactly(new MemberDown(SELF, DownReason.UNREACHABLE));
        assertThat(rejoined).containsExactly(new MemberUp(fresh));
        assertThat(announced).containsExactly(new Broadcast(new Update(List.of(alive(fresh, 1)))));
        assertThat(d.liveMembers()).containsExactly(A, fresh);
        // the old incarnation's DOWN, arriving late, no longer touches this node's entry
        assertThat(notifications(update(d, T0 + 4, member(SELF, MemberStatus.DOWN, 1)))).isEmpty();
        assertThat(d.member(MemberKey.of(SELF))).contains(alive(fresh, 1));
    }

    @Test
    void suspicionsHeldWhenRejoiningAreLeftToTheOthers() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1), alive(B, 1));
        d.suspect(T0, A); // raised while this node was the one cut off
        update(d, T0 + 1, member(SELF, MemberStatus.DOWN, 1));
        d.rejoin(T0 + 2, node("self", 2));
        d.neighbourUp(T0 + 3, NEIGHBOUR);

        List<Object> fired = notifications(d.handle(T0 + 5000, new Event.TimerFired<>(new SuspicionTimeout(MemberKey.of(A), 1, 1))));
        assertThat(fired).isEmpty();
        assertThat(d.liveMembers()).contains(A);
        // the others' verdict still counts: their DOWN, or a later suspicion, which runs its course here
        update(d, T0 + 5001, member(A, MemberStatus.DOWN, 1));
        assertThat(d.liveMembers()).doesNotContain(A);
        update(d, T0 + 5002, member(B, MemberStatus.SUSPECT, 1));
        assertThat(notifications(d.handle(T0 + 10_002, new Event.TimerFired<>(new SuspicionTimeout(MemberKey.of(B), 1, 1)))))
                .containsExactly(new MemberDown(B, DownReason.UNREACHABLE));
    }

    @Test
    void countsByStatusFollowEveryChangeAndTheReaping() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1), alive(B, 1), alive(node("c", 1), 1));
        update(d, T0, member(A, MemberStatus.SUSPECT, 1), member(B, MemberStatus.LEFT, 2));
        update(d, T0, alive(node("c", 2), 1)); // a new incarnation replaces the old entry

        assertThat(MemberStatus.values()).allSatisfy(s -> assertThat(d.count(s)).as("%s", s)
                .isEqualTo(d.members().stream().filter(m -> m.status() == s).count()));
        d.handle(T0 + 61_000, new Event.TimerFired<>(new AntiEntropyTick()));
        assertThat(d.count(MemberStatus.LEFT)).isZero();
        assertThat(d.count(MemberStatus.ALIVE)).isEqualTo(2);
        assertThat(d.count(MemberStatus.SUSPECT)).isEqualTo(1);
    }

    @Test
    void memberFirstHeardOfAsGoneIsNeverReported() {
        MemberDirectory d = started(SELF, CONFIG);

        assertThat(notifications(update(d, T0, member(A, MemberStatus.DOWN, 1)))).isEmpty();
        assertThat(d.liveMembers()).containsExactly(SELF);
    }

    @Test
    void probeSyncsWithARandomLiveMemberThatIsNotANeighbourAndClosesTheLinkAfterTheAnswer() {
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 1), alive(B, 1), member(node("gone", 1), MemberStatus.LEFT, 2));
        d.neighbourUp(T0, A);

        List<Effect<DirectoryMessage>> out = d.handle(T0 + 3000, new Event.TimerFired<>(new DirectoryTimer.ProbeTick()));
        List<Effect<DirectoryMessage>> answered = d.handle(T0 + 3001, new Event.Received<>(B, new SyncReply(1, List.of(), List.of())));

        assertThat(out).anyMatch(e -> e instanceof Send<?> s && s.to().equals(B) && s.message() instanceof Sync);
        assertThat(out).anyMatch(e -> e instanceof Schedule<?> s && s.timer() instanceof DirectoryTimer.ProbeTick);
        assertThat(answered).containsExactly(new Effect.Disconnect<>(B));
    }

    @Test
    void syncIsAlwaysAnsweredSoAProberKnowsTheMemberIsAlive() {
        MemberDirectory d = started(SELF, CONFIG);

        List<Effect<DirectoryMessage>> out = d.handle(T0, new Event.Received<>(A, new Sync(new long[4])));

        assertThat(sent(out, A)).singleElement().isInstanceOf(SyncReply.class);
    }
}
