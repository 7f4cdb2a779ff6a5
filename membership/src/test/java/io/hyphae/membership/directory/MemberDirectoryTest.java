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
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemberDirectoryTest {

    static final NodeId SELF = node("self", 1);
    static final NodeId A = node("a", 1);
    static final NodeId B = node("b", 1);
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

        assertThat(first).containsExactly(new Notify<>(new Broadcast(new Update(List.of(alive(SELF, 1))))),
                new Send<>(A, new Sync(Optional.empty(), Optional.empty(), List.of(alive(SELF, 1)))));
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
        MemberDirectory d = started(SELF, CONFIG);
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
        MemberDirectory d = started(SELF, CONFIG);
        update(d, T0, alive(A, 3));
        update(d, T0, member(A, MemberStatus.SUSPECT, 3));

        List<Object> fired = notifications(d.handle(T0 + 5000, new Event.TimerFired<>(new SuspicionTimeout(MemberKey.of(A), 1, 3))));

        assertThat(fired).containsExactly(new MemberDown(A, DownReason.UNREACHABLE));
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

    @Test
    void antiEntropyPushesToARandomNeighbourAndPullsWhatItLacks() {
        MemberDirectory a = started(A, CONFIG);
        MemberDirectory b = started(B, CONFIG);
        NodeId x = node("x", 1);
        NodeId y = node("y", 1);
        update(a, T0, alive(x, 1));
        update(b, T0, alive(y, 4));
        a.neighbourUp(T0, B);

        Sync sync = (Sync) a.handle(T0 + 1000, new Event.TimerFired<>(new AntiEntropyTick())).stream()
                .filter(e -> e instanceof Send).map(e -> ((Send<DirectoryMessage>) e).message()).findFirst().orElseThrow();
        List<Effect<DirectoryMessage>> atB = b.handle(T0 + 1001, new Event.Received<>(A, sync));
        SyncReply reply = (SyncReply) ((Send<DirectoryMessage>) atB.stream().filter(e -> e instanceof Send).findFirst().orElseThrow()).message();
        a.handle(T0 + 1002, new Event.Received<>(B, reply));

        assertThat(b.liveMembers()).containsExactly(A, B, x, y);
        assertThat(reply.members()).containsExactly(alive(B, 1), alive(y, 4));
        assertThat(a.liveMembers()).containsExactly(A, B, x, y);
    }

    @Test
    void largeDirectoriesAreSyncedInSlicesThatWrapAround() {
        DirectoryConfig small = new DirectoryConfig(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3), 2, Duration.ofMinutes(1));
        MemberDirectory a = started(node("a0", 1), small);
        for (int i = 1; i <= 4; i++) {
            update(a, T0, alive(node("a" + i, 1), 1));
        }
        a.neighbourUp(T0, B);

        List<Sync> syncs = new java.util.ArrayList<>();
        for (int round = 1; round <= 4; round++) {
            a.handle(T0 + round * 1000L, new Event.TimerFired<>(new AntiEntropyTick())).stream()
                    .filter(e -> e instanceof Send).forEach(e -> syncs.add((Sync) ((Send<DirectoryMessage>) e).message()));
        }

        assertThat(syncs).extracting(s -> s.members().stream().map(m -> m.id().name()).toList())
                .containsExactly(List.of("a0", "a1"), List.of("a2", "a3"), List.of("a4"), List.of("a0", "a1"));
        assertThat(syncs.get(0).to()).contains(new MemberKey("a2", A.address()));
        assertThat(syncs.get(2).to()).isEmpty();
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
        List<Effect<DirectoryMessage>> answered = d.handle(T0 + 3001, new Event.Received<>(B, new SyncReply(List.of())));

        assertThat(out).anyMatch(e -> e instanceof Send<?> s && s.to().equals(B) && s.message() instanceof Sync);
        assertThat(out).anyMatch(e -> e instanceof Schedule<?> s && s.timer() instanceof DirectoryTimer.ProbeTick);
        assertThat(answered).containsExactly(new Effect.Disconnect<>(B));
    }

    @Test
    void syncIsAlwaysAnsweredSoAProberKnowsTheMemberIsAlive() {
        MemberDirectory d = started(SELF, CONFIG);

        List<Effect<DirectoryMessage>> out = d.handle(T0, new Event.Received<>(A,
                new Sync(Optional.empty(), Optional.empty(), List.of(alive(SELF, 1)))));

        assertThat(out).contains(new Send<>(A, new SyncReply(List.of())));
    }
}
