package io.hyphae.rpc.internal;

import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.BadNode.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The RPC layer's meters, all named {@code hyphae.rpc.*}. Gauges (outstanding calls, queue
 * depths, held casts) are registered by {@link RpcNode}, which owns what they read.
 */
final class RpcMetrics {

    /** Why a cast was not handed to a handler; the {@code reason} tag of {@code hyphae.rpc.abcast.dropped}. */
    enum CastDrop {
        DUPLICATE, UNKNOWN_ORIGIN, WRONG_ORIGIN, WRONG_RECEIVER, QUEUE_FULL, NO_HANDLER, UNREACHABLE, NOT_A_MEMBER;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Timer multicallLatency;
    private final Counter replies;
    private final Map<Reason, Counter> badNodes = new EnumMap<>(Reason.class);
    private final Counter rejectedOutstanding;
    private final Counter rejectedPayload;
    private final Counter lateAnswers;
    private final Counter broadcastsSent;
    private final Counter directCastsSent;
    private final Counter castsDelivered;
    private final Counter castsSkipped;
    private final Map<CastDrop, Counter> castsDropped = new ConcurrentHashMap<>();
    private final Counter handlerThrew;
    private final Counter handlerOverloaded;

    RpcMetrics(MeterRegistry registry) {
        this.registry = registry;
        multicallLatency = Timer.builder("hyphae.rpc.multicall.latency")
                .description("time from a multicall's start to its result, whatever the outcome")
                .register(registry);
        replies = Counter.builder("hyphae.rpc.multicall.replies").description("replies gathered by calls from this node").register(registry);
        for (Reason r : Reason.values()) {
            badNodes.put(r, Counter.builder("hyphae.rpc.multicall.bad.nodes")
                    .description("targets of calls from this node that gave no reply")
                    .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        rejectedOutstanding = rejected("outstanding");
        rejectedPayload = rejected("payload");
        lateAnswers = Counter.builder("hyphae.rpc.multicall.late.answers")
                .description("replies and errors dropped because their call or target was already answered")
                .register(registry);
        broadcastsSent = castsSent("all");
        directCastsSent = castsSent("direct");
        castsDelivered = Counter.builder("hyphae.rpc.abcast.delivered").description("casts handed to a handler on this node").register(registry);
        castsSkipped = Counter.builder("hyphae.rpc.abcast.skipped")
                .description("casts given up as lost: a gap outlived the gap timeout or the reorder window overflowed")
                .register(registry);
        handlerThrew = handlerError("threw");
        handlerOverloaded = handlerError("overloaded");
    }

    void multicallDone(long startNanos, long endNanos, int replyCount, List<BadNode> bad) {
        multicallLatency.record(endNanos - startNanos, TimeUnit.NANOSECONDS);
        replies.increment(replyCount);
        for (BadNode b : bad) {
            badNodes.get(b.reason()).increment();
        }
    }

    void rejectedOutstanding() {
        rejectedOutstanding.increment();
    }

    void rejectedPayload() {
        rejectedPayload.increment();
    }

    void lateAnswers(long n) {
        if (n > 0) {
            lateAnswers.increment(n);
        }
    }

    void castSent(boolean broadcast) {
        (broadcast ? broadcastsSent : directCastsSent).increment();
    }

    /** {@code n} direct casts sent (one per target of one abcast). */
    void castsSent(int n) {
        if (n > 0) {
            directCastsSent.increment(n);
        }
    }

    void castsDropped(CastDrop why, int n) {
        if (n > 0) {
            castsDropped.computeIfAbsent(why, w -> Counter.builder("hyphae.rpc.abcast.dropped")
                    .description("casts received or sent but not handed to a handler")
                    .tag("reason", w.tag())
                    .register(registry)).increment(n);
        }
    }

    void castDelivered() {
        castsDelivered.increment();
    }

    void castsSkipped(long n) {
        castsSkipped.increment(n);
    }

    void castDropped(CastDrop why) {
        castsDropped(why, 1);
    }

    void handlerThrew() {
        handlerThrew.increment();
    }

    void handlerOverloaded() {
        handlerOverloaded.increment();
    }

    private Counter castsSent(String stream) {
        return Counter.builder("hyphae.rpc.abcast.sent")
                .description("casts sent by this node: broadcasts (stream=all), and direct casts (stream=direct, n targets count n)")
                .tag("stream", stream)
                .register(registry);
    }

    private Counter rejected(String limit) {
        return Counter.builder("hyphae.rpc.calls.rejected")
                .description("calls and casts refused at once because they would pass a limit")
                .tag("limit", limit)
                .register(registry);
    }

    private Counter handlerError(String kind) {
        return Counter.builder("hyphae.rpc.handler.errors")
                .description("handler runs on this node that produced no reply: the handler threw, or the queue was full")
                .tag("kind", kind)
                .register(registry);
    }
}
