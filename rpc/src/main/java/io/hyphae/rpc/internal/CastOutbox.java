package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.spi.Messaging.SendOutcome;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;

/**
 * The direct casts of one loop turn, gathered per receiver and sent at the end of the turn as
 * one {@link CastBatch} frame each (a lone cast goes as itself). A receiver's casts leave in the
 * order they were added, and before any other frame to that receiver ({@link #flush(NodeId)}),
 * so batching never reorders what one sender sends one receiver. Loop thread only.
 *
 * <p>Each receiver has one {@link Batch} for as long as it is known ({@link #forget}); the
 * sender keeps it with the receiver's numbering, so adding a cast looks nothing up.
 */
final class CastOutbox {

    /** Most casts in one frame. */
    static final int MAX_CASTS = 256;
    /** Payload bytes past which a batch is sent before it takes another cast; far below any frame limit. */
    static final int MAX_BYTES = 32 * 1024;

    private final BiFunction<NodeId, RpcMessage, SendOutcome> send;
    private final ObjIntConsumer<NodeId> unreachable;
    private final Map<NodeId, Batch> batches = new HashMap<>();
    // The batches holding casts, in the order they got their first one since they were last sent.
    private final List<Batch> waiting = new ArrayList<>();

    /** What is gathered for one receiver. */
    static final class Batch {
        private final NodeId to;
        private List<DirectCast> casts = new ArrayList<>();
        private int bytes;

        private Batch(NodeId to) {
            this.to = to;
        }
    }

    /**
     * @param send hands one frame to the messaging port
     * @param unreachable told how many casts to a receiver were lost because the port refused them
     */
    CastOutbox(BiFunction<NodeId, RpcMessage, SendOutcome> send, ObjIntConsumer<NodeId> unreachable) {
        this.send = send;
        this.unreachable = unreachable;
    }

    /** The batch of {@code to}, the same one until {@code to} is {@link #forget forgotten}. */
    Batch batchFor(NodeId to) {
        return batches.computeIfAbsent(to, Batch::new);
    }

    /** Gathers {@code cast} for the receiver of {@code b}, after what is gathered for it already. */
    void add(Batch b, DirectCast cast) {
        if (b.casts.isEmpty()) {
            waiting.add(b);
        } else if (b.casts.size() == MAX_CASTS || b.bytes + cast.payload().length > MAX_BYTES) {
            send(b); // it stays waiting: the cast below follows
        }
        b.casts.add(cast);
        b.bytes += cast.payload().length;
    }

    /** Sends what is gathered for {@code to}: called before any other frame goes to it. */
    void flush(NodeId to) {
        Batch b = batches.get(to);
        if (b != null && !b.casts.isEmpty()) {
            waiting.remove(b);
            send(b);
        }
    }

    /** End of a turn: sends every receiver's batch. */
    void flushAll() {
        if (waiting.isEmpty()) {
            return;
        }
        for (Batch b : waiting) {
            send(b);
        }
        waiting.clear();
    }

    /** {@code to} left: what is gathered for it leaves now, and its batch object goes. */
    void forget(NodeId to) {
        flush(to);
        batches.remove(to);
    }

    private void send(Batch b) {
        List<DirectCast> casts = b.casts;
        b.casts = new ArrayList<>(casts.size()); // a stream's batches are alike: no growing step by step
        b.bytes = 0;
        RpcMessage frame = casts.size() == 1 ? casts.get(0) : new CastBatch(casts);
        if (send.apply(b.to, frame) == SendOutcome.UNREACHABLE) {
            unreachable.accept(b.to, casts.size());
        }
    }
}
