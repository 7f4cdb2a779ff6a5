package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.spi.Messaging.SendOutcome;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;

/**
 * The direct casts of one loop turn, gathered per receiver and sent at the end of the turn as
 * one {@link CastBatch} frame each (a lone cast goes as itself). A receiver's casts leave in the
 * order they were added, and before any other frame to that receiver ({@link #flush(NodeId)}),
 * so batching never reorders what one sender sends one receiver. Loop thread only.
 */
final class CastOutbox {

    /** Most casts in one frame. */
    static final int MAX_CASTS = 256;
    /** Payload bytes past which a batch is sent before it takes another cast; far below any frame limit. */
    static final int MAX_BYTES = 32 * 1024;

    private final BiFunction<NodeId, RpcMessage, SendOutcome> send;
    private final ObjIntConsumer<NodeId> unreachable;
    private final Map<NodeId, Batch> pending = new LinkedHashMap<>();

    private static final class Batch {
        List<DirectCast> casts = new ArrayList<>();
        int bytes;
    }

    /**
     * @param send hands one frame to the messaging port
     * @param unreachable told how many casts to a receiver were lost because the port refused them
     */
    CastOutbox(BiFunction<NodeId, RpcMessage, SendOutcome> send, ObjIntConsumer<NodeId> unreachable) {
        this.send = send;
        this.unreachable = unreachable;
    }

    void add(NodeId to, DirectCast cast) {
        Batch b = pending.get(to);
        if (b == null) {
            b = new Batch();
            pending.put(to, b);
        } else if (b.casts.size() == MAX_CASTS || b.bytes + cast.payload().length > MAX_BYTES) {
            send(to, b);
        }
        b.casts.add(cast);
        b.bytes += cast.payload().length;
    }

    /** Sends what is gathered for {@code to}: called before any other frame goes to it. */
    void flush(NodeId to) {
        Batch b = pending.remove(to);
        if (b != null) {
            send(to, b);
        }
    }

    /** End of a turn: sends every receiver's batch. */
    void flushAll() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<NodeId, Batch> e : pending.entrySet()) {
            send(e.getKey(), e.getValue());
        }
        pending.clear();
    }

    private void send(NodeId to, Batch b) {
        List<DirectCast> casts = b.casts;
        if (casts.isEmpty()) {
            return;
        }
        b.casts = new ArrayList<>();
        b.bytes = 0;
        RpcMessage frame = casts.size() == 1 ? casts.get(0) : new CastBatch(casts);
        if (send.apply(to, frame) == SendOutcome.UNREACHABLE) {
            unreachable.accept(to, casts.size());
        }
    }
}
