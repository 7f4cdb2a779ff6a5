package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.RpcLimitExceededException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bookkeeping of outstanding multicalls, as a deterministic state machine: it is told what
 * happened (a call opened, a reply or error arrived, a send failed, a node went away, time
 * passed) and answers with the calls that completed. It sends nothing, starts no timer and
 * reads no clock: the shell does that and hands the time in, in nanoseconds on a monotonic
 * scale that does not wrap.
 *
 * <p>A call completes the moment every target is answered, by a reply or with a reason; a
 * target whose link is known dead is answered at once rather than at the deadline. Answers for
 * a call or a target that is already answered are dropped and counted as late.
 *
 * <p>Not thread-safe: one thread, or one lock, at a time.
 */
public final class MulticallTable {

    /** A finished call: replies (raw payloads) in target order, and every target that did not reply. */
    public record Completed(long callId, Map<NodeId, byte[]> replies, List<BadNode> badNodes) {
    }

    /**
     * A newly opened call: the targets to send the request to (members, without duplicates, in
     * the order given), and the completion when nothing needed sending.
     */
    public record Opened(long callId, List<NodeId> sendTo, Optional<Completed> completedAtOnce) {
    }

    private record Deadline(long atNanos, long callId) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(callId, o.callId);
        }
    }

    private static final class Call {
        final long id;
        final long deadlineNanos;
        final Set<NodeId> pending = new LinkedHashSet<>();
        final Map<NodeId, byte[]> replies = new LinkedHashMap<>();
        final List<BadNode> bad = new ArrayList<>();

        Call(long id, long deadlineNanos) {
            this.id = id;
            this.deadlineNanos = deadlineNanos;
        }

        Completed completed() {
            return new Completed(id, replies, bad);
        }
    }

    private final int maxOutstanding;
    private final Map<Long, Call> calls = new HashMap<>();
    private final Map<NodeId, Set<Long>> callsByNode = new HashMap<>();
    private final TreeSet<Deadline> deadlines = new TreeSet<>();
    private long nextCallId = 1;
    private long lateAnswers;

    public MulticallTable(int maxOutstanding) {
        if (maxOutstanding < 1) {
            throw new IllegalArgumentException("maxOutstanding must be positive");
        }
        this.maxOutstanding = maxOutstanding;
    }

    /**
     * Opens a call to {@code targets}. Targets that are not in {@code liveMembers} are answered
     * {@link Reason#NOT_A_MEMBER} at once and get nothing sent.
     *
     * @throws RpcLimitExceededException when {@code maxOutstanding} calls are already open
     */
    public Opened open(Collection<NodeId> targets, Set<NodeId> liveMembers, long deadlineNanos) {
        if (calls.size() >= maxOutstanding) {
            throw new RpcLimitExceededException("too many outstanding calls: " + calls.size()
                    + " open, the limit (maxOutstandingCalls) is " + maxOutstanding);
        }
        Call call = new Call(nextCallId++, deadlineNanos);
        List<NodeId> sendTo = new ArrayList<>();
        for (NodeId t : new LinkedHashSet<>(targets)) {
            if (liveMembers.contains(t)) {
                call.pending.add(t);
                sendTo.add(t);
            } else {
                call.bad.add(BadNode.of(t, Reason.NOT_A_MEMBER));
            }
        }
        if (call.pending.isEmpty()) {
            return new Opened(call.id, List.of(), Optional.of(call.completed()));
        }
        calls.put(call.id, call);
        for (NodeId t : call.pending) {
            callsByNode.computeIfAbsent(t, k -> new HashSet<>()).add(call.id);
        }
        deadlines.add(new Deadline(deadlineNanos, call.id));
        return new Opened(call.id, List.copyOf(sendTo), Optional.empty());
    }

    /** {@code from} replied to {@code callId}. */
    public Optional<Completed> onReply(NodeId from, long callId, byte[] payload) {
        Call call = pendingCall(from, callId);
        if (call == null) {
            return Optional.empty();
        }
        call.replies.put(from, payload);
        return answered(call, from);
    }

    /** {@code from} was answered for {@code callId} without a reply: a remote error, or a send that failed. */
    public Optional<Completed> onError(NodeId from, long callId, Reason reason, Optional<String> detail) {
        Call call = pendingCall(from, callId);
        if (call == null) {
            return Optional.empty();
        }
        call.bad.add(new BadNode(from, reason, detail));
        return answered(call, from);
    }

    /**
     * {@code node} can answer none of its pending calls (its link closed, it left, it failed):
     * every call waiting on it is answered with {@code reason} now.
     */
    public List<Completed> onNodeGone(NodeId node, Reason reason, Optional<String> detail) {
        Set<Long> ids = callsByNode.remove(node);
        if (ids == null) {
            return List.of();
        }
        List<Completed> done = new ArrayList<>();
        for (long id : ids) {
            Call call = calls.get(id);
            call.pending.remove(node);
            call.bad.add(new BadNode(node, reason, detail));
            if (call.pending.isEmpty()) {
                done.add(finish(call));
            }
        }
        return done;
    }

    /** Time is now {@code nowNanos}: every call whose deadline has come is completed, its silent targets {@link Reason#TIMED_OUT}. */
    public List<Completed> onTick(long nowNanos) {
        List<Completed> done = new ArrayList<>();
        while (!deadlines.isEmpty() && deadlines.first().atNanos() <= nowNanos) {
            Call call = calls.get(deadlines.first().callId());
            for (NodeId t : call.pending) {
                call.bad.add(BadNode.of(t, Reason.TIMED_OUT));
                Set<Long> ids = callsByNode.get(t);
                ids.remove(call.id);
                if (ids.isEmpty()) {
                    callsByNode.remove(t);
                }
            }
            call.pending.clear();
            done.add(finish(call));
        }
        return done;
    }

    /** The earliest deadline of an open call, for the shell's timer. */
    public OptionalLong nextDeadline() {
        return deadlines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(deadlines.first().atNanos());
    }

    public int outstanding() {
        return calls.size();
    }

    /** Replies and errors dropped because their call, or that target, was already answered. */
    public long lateAnswers() {
        return lateAnswers;
    }

    private Call pendingCall(NodeId from, long callId) {
        Call call = calls.get(callId);
        if (call == null || !call.pending.contains(from)) {
            lateAnswers++;
            return null;
        }
        return call;
    }

    private Optional<Completed> answered(Call call, NodeId from) {
        call.pending.remove(from);
        Set<Long> ids = callsByNode.get(from);
        ids.remove(call.id);
        if (ids.isEmpty()) {
            callsByNode.remove(from);
        }
        return call.pending.isEmpty() ? Optional.of(finish(call)) : Optional.empty();
    }

    private Completed finish(Call call) {
        calls.remove(call.id);
        deadlines.remove(new Deadline(call.deadlineNanos, call.id));
        return call.completed();
    }
}
