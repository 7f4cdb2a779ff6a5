package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.RpcLimitExceededException;
import io.hyphae.rpc.internal.MulticallTable.Completed;
import io.hyphae.rpc.internal.MulticallTable.Opened;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MulticallTableTest {

    private static final NodeId A = node("a");
    private static final NodeId B = node("b");
    private static final NodeId C = node("c");
    private static final Set<NodeId> MEMBERS = Set.of(A, B, C);
    private static final byte[] X = {42};

    private final MulticallTable table = new MulticallTable(3);

    @Test
    void completesTheMomentTheLastTargetAnswers() {
        // Given a call to three members
        Opened call = table.open(List.of(A, B, C), MEMBERS, 1_000);
        assertThat(call.sendTo()).containsExactly(A, B, C);

        // When two reply and the third throws
        assertThat(table.onReply(A, call.callId(), X)).isEmpty();
        assertThat(table.onReply(B, call.callId(), X)).isEmpty();
        Optional<Completed> done = table.onError(C, call.callId(), Reason.HANDLER_THREW, Optional.of("boom"));

        // Then the third answer completes it, long before the deadline
        assertThat(done).isPresent();
        assertThat(done.get().replies()).containsOnlyKeys(A, B);
        assertThat(done.get().badNodes()).containsExactly(BadNode.of(C, Reason.HANDLER_THREW, "boom"));
        assertThat(table.outstanding()).isZero();
        assertThat(table.nextDeadline()).isEmpty();
    }

    @Test
    void answersSilentTargetsTimedOutExactlyAtTheDeadline() {
        Opened call = table.open(List.of(A, B), MEMBERS, 1_000);
        table.onReply(A, call.callId(), X);

        // One nanosecond early: nothing
        assertThat(table.onTick(999)).isEmpty();
        // At the deadline: B timed out
        List<Completed> done = table.onTick(1_000);

        assertThat(done).singleElement().satisfies(c -> {
            assertThat(c.replies()).containsOnlyKeys(A);
            assertThat(c.badNodes()).containsExactly(BadNode.of(B, Reason.TIMED_OUT));
        });
    }

    @Test
    void answersEveryCallWaitingOnANodeAtOnceWhenItGoes() {
        // Given two calls waiting on B
        Opened first = table.open(List.of(A, B), MEMBERS, 1_000);
        Opened second = table.open(List.of(B), MEMBERS, 5_000);
        table.onReply(A, first.callId(), X);

        // When B's link is lost
        List<Completed> done = table.onNodeGone(B, Reason.UNREACHABLE, Optional.of("link closed"));

        // Then both complete now, B unreachable, without waiting for any deadline
        assertThat(done).extracting(Completed::callId).containsExactlyInAnyOrder(first.callId(), second.callId());
        assertThat(done).allSatisfy(c -> assertThat(c.badNodes()).containsExactly(BadNode.of(B, Reason.UNREACHABLE, "link closed")));
        assertThat(table.outstanding()).isZero();
    }

    @Test
    void answersNonMembersAtOnceAndSendsThemNothing() {
        NodeId stranger = node("stranger");

        Opened call = table.open(List.of(A, stranger), MEMBERS, 1_000);
        assertThat(call.sendTo()).containsExactly(A);

        Completed done = table.onReply(A, call.callId(), X).orElseThrow();
        assertThat(done.badNodes()).containsExactly(BadNode.of(stranger, Reason.NOT_A_MEMBER));
    }

    @Test
    void completesAtOnceWhenNoTargetIsAMember() {
        Opened call = table.open(List.of(node("x")), MEMBERS, 1_000);

        assertThat(call.sendTo()).isEmpty();
        assertThat(call.completedAtOnce()).hasValueSatisfying(c -> assertThat(c.badNodes()).hasSize(1));
        assertThat(table.outstanding()).isZero();
    }

    @Test
    void countsAndDropsRepliesThatArriveAfterTheirCallCompleted() {
        Opened call = table.open(List.of(A), MEMBERS, 1_000);
        table.onTick(1_000);

        assertThat(table.onReply(A, call.callId(), X)).isEmpty();
        assertThat(table.onReply(B, 999, X)).isEmpty();

        assertThat(table.lateAnswers()).isEqualTo(2);
    }

    @Test
    void ignoresASecondAnswerFromTheSameTarget() {
        Opened call = table.open(List.of(A, B), MEMBERS, 1_000);
        table.onReply(A, call.callId(), X);

        assertThat(table.onReply(A, call.callId(), X)).isEmpty();
        assertThat(table.lateAnswers()).isEqualTo(1);
        assertThat(table.outstanding()).isEqualTo(1);
    }

    @Test
    void refusesACallPastTheOutstandingBoundAtOnceAndAcceptsOneAfterACompletion() {
        Opened first = table.open(List.of(A), MEMBERS, 1_000);
        table.open(List.of(A), MEMBERS, 1_000);
        table.open(List.of(A), MEMBERS, 1_000);

        assertThatThrownBy(() -> table.open(List.of(A), MEMBERS, 1_000))
                .isInstanceOf(RpcLimitExceededException.class)
                .hasMessageContaining("maxOutstandingCalls");

        table.onReply(A, first.callId(), X);
        assertThat(table.open(List.of(A), MEMBERS, 1_000).sendTo()).containsExactly(A);
    }

    @Test
    void sendsOnceToATargetNamedTwice() {
        Opened call = table.open(List.of(A, A, B), MEMBERS, 1_000);
        assertThat(call.sendTo()).containsExactly(A, B);
    }

    static NodeId node(String name) {
        return new NodeId(name, new HostAndPort("127.0.0.1", 7000), 1);
    }
}
