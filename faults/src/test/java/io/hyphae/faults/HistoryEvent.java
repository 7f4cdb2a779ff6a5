package io.hyphae.faults;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One line of a node's recorded history (JSON, one object a line, {@code type} naming the
 * record). Times are {@link System#currentTimeMillis()}: every node runs on this machine, so
 * one clock orders all histories. A node incarnation is written {@code name#incarnation}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = HistoryEvent.Started.class, name = "started"),
    @JsonSubTypes.Type(value = HistoryEvent.Stopped.class, name = "stopped"),
    @JsonSubTypes.Type(value = HistoryEvent.MemberUp.class, name = "up"),
    @JsonSubTypes.Type(value = HistoryEvent.MemberDown.class, name = "down"),
    @JsonSubTypes.Type(value = HistoryEvent.View.class, name = "view"),
    @JsonSubTypes.Type(value = HistoryEvent.Stall.class, name = "stall"),
    @JsonSubTypes.Type(value = HistoryEvent.LinkUp.class, name = "link-up"),
    @JsonSubTypes.Type(value = HistoryEvent.LinkDown.class, name = "link-down"),
    @JsonSubTypes.Type(value = HistoryEvent.Multicall.class, name = "multicall"),
    @JsonSubTypes.Type(value = HistoryEvent.AbcastSent.class, name = "sent"),
    @JsonSubTypes.Type(value = HistoryEvent.AbcastDelivered.class, name = "delivered"),
})
sealed interface HistoryEvent {

    /** When it happened (for a multicall: when it returned). */
    long t();

    /** The node incarnation that recorded it. */
    String node();

    /** The incarnation {@code node} started. */
    record Started(long t, String node) implements HistoryEvent {
    }

    /** The incarnation stopped: {@code how} is {@code left} (graceful) or {@code declared-down} (the node rejoined in place as its next incarnation). */
    record Stopped(long t, String node, String how) implements HistoryEvent {
    }

    record MemberUp(long t, String node, String member) implements HistoryEvent {
    }

    record MemberDown(long t, String node, String member, String reason) implements HistoryEvent {
    }

    /**
     * The process ran nothing for {@code ms} before {@code t}: a thread asked to wake every
     * {@link FaultNodeMain#STALL_TICK} woke this much late (no CPU on a loaded machine, a GC
     * pause, SIGSTOP). Recorded from {@link FaultNodeMain#STALL_RECORDED} up.
     */
    record Stall(long t, String node, long ms) implements HistoryEvent {
    }

    /** The transport's link to {@code peer} came up (not checked: it explains a loss when one is found). */
    record LinkUp(long t, String node, String peer) implements HistoryEvent {
    }

    /** The transport's link to {@code peer} went down, and why ({@link io.hyphae.membership.transport.LinkDownReason}). */
    record LinkDown(long t, String node, String peer, String reason) implements HistoryEvent {
    }

    /** A snapshot, taken every {@link FaultNodeMain#VIEW_PERIOD}: the live members and HyParView's active view. */
    record View(long t, String node, List<String> live, List<String> active) implements HistoryEvent {
    }

    /** A multicall to {@code targets} issued at {@code start} that returned at {@code t}. */
    record Multicall(long t, String node, long start, long timeoutMs, List<String> targets, List<String> replies,
                     List<Bad> bad) implements HistoryEvent {
    }

    /** A target that did not reply, and why ({@link io.hyphae.rpc.BadNode.Reason}). */
    record Bad(String node, String reason) {
    }

    /** An abcast to every live member; {@code targets} is the sender's live members just before. */
    record AbcastSent(long t, String node, long seq, List<String> targets) implements HistoryEvent {
    }

    /** Abcast {@code seq} of {@code from} handed to the handler at {@code node}. */
    record AbcastDelivered(long t, String node, String from, long seq) implements HistoryEvent {
    }
}
