package io.hyphae.rpc.wire;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.Names;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The RPC protocol's messages (protocol id {@link RpcWireCodec#PROTOCOL_ID}). Requests and
 * replies travel point to point between the caller and one target; casts travel point to point
 * ({@link DirectCast}) or through the cluster broadcast ({@link Broadcast}).
 *
 * <p>Payloads are the bytes of the endpoint's codec; arrays are not copied (messages are
 * built once and handed on), but equality compares their contents so messages are values.
 */
public sealed interface RpcMessage permits RpcMessage.Request, RpcMessage.Reply, RpcMessage.ErrorReply, RpcMessage.Cast,
        RpcMessage.CastBatch {

    /** Longest error detail carried, in UTF-8 bytes; longer details are cut when the error is built. */
    int MAX_DETAIL_BYTES = 1024;

    /** Asks the receiver to run handler {@code name} and answer {@code callId} with a {@link Reply} or {@link ErrorReply}. */
    record Request(long callId, String name, byte[] payload) implements RpcMessage {
        public Request {
            requireName(name);
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request r && r.callId == callId && r.name.equals(name) && Arrays.equals(r.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(callId, name, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Request[callId=" + callId + ", name=" + name + ", " + payload.length + " bytes]";
        }
    }

    /** The handler's encoded return value for {@code callId}. */
    record Reply(long callId, byte[] payload) implements RpcMessage {
        public Reply {
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reply r && r.callId == callId && Arrays.equals(r.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(callId, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Reply[callId=" + callId + ", " + payload.length + " bytes]";
        }
    }

    /**
     * The request {@code callId} produced no reply on the receiver. Only the reasons a remote
     * node can know travel: {@code NO_SUCH_HANDLER}, {@code HANDLER_THREW}, {@code OVERLOADED}.
     */
    record ErrorReply(long callId, Reason reason, String detail) implements RpcMessage {
        public ErrorReply {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            if (!isRemoteReason(reason)) {
                throw new IllegalArgumentException(reason + " is not a reason a remote node reports");
            }
            if (detail.getBytes(StandardCharsets.UTF_8).length > MAX_DETAIL_BYTES) {
                throw new IllegalArgumentException("detail over " + MAX_DETAIL_BYTES + " bytes; build it with ErrorReply.of");
            }
        }

        /** Builds the error, cutting {@code detail} to {@link #MAX_DETAIL_BYTES} so any exception message fits. */
        public static ErrorReply of(long callId, Reason reason, String detail) {
            return new ErrorReply(callId, reason, truncate(detail));
        }

        public static boolean isRemoteReason(Reason reason) {
            return reason == Reason.NO_SUCH_HANDLER || reason == Reason.HANDLER_THREW || reason == Reason.OVERLOADED;
        }

        private static String truncate(String s) {
            if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_DETAIL_BYTES) {
                return s;
            }
            // Cut by code points so a surrogate pair is never split.
            StringBuilder b = new StringBuilder();
            int bytes = 0;
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n > MAX_DETAIL_BYTES - 3) {
                    break;
                }
                b.appendCodePoint(cp);
                bytes += n;
                i += Character.charCount(cp);
            }
            return b.append("...").toString();
        }
    }

    /**
     * A fire-and-forget message for handler {@code name} from {@code origin} (this incarnation).
     * The origin travels in the message because a broadcast reaches most receivers through
     * other nodes. A sender numbers its broadcasts 1, 2, 3, … and, separately, its direct casts
     * to each receiver 1, 2, 3, …; each kind carries what a receiver needs to put the two in the
     * order they were sent.
     */
    sealed interface Cast extends RpcMessage permits Broadcast, DirectCast {
        NodeId origin();

        long seq();

        String name();

        byte[] payload();
    }

    /**
     * {@code abcast(topic, m)}: through the cluster broadcast to every member.
     *
     * @param seq this broadcast's number among the origin's broadcasts, from 1
     * @param marks for each receiver the origin sent direct casts to since its previous
     *     broadcast, the number of the last of them: that receiver delivers this broadcast only
     *     after that direct cast
     */
    record Broadcast(NodeId origin, long seq, List<DirectMark> marks, String name, byte[] payload) implements Cast {
        public Broadcast {
            Objects.requireNonNull(origin, "origin");
            requireSeq(seq);
            marks = List.copyOf(marks);
            requireName(name);
            Objects.requireNonNull(payload, "payload");
        }

        /** The number of the last direct cast to the receiver with {@code receiverKey} this broadcast must follow, or 0. */
        public long markFor(long receiverKey) {
            for (DirectMark m : marks) {
                if (m.receiverKey() == receiverKey) {
                    return m.directSeq();
                }
            }
            return 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Broadcast c && c.origin.equals(origin) && c.seq == seq && c.marks.equals(marks)
                    && c.name.equals(name) && Arrays.equals(c.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(origin, seq, marks, name, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Broadcast[origin=" + origin + ", seq=" + seq + ", marks=" + marks.size() + ", name=" + name + ", " + payload.length + " bytes]";
        }
    }

    /**
     * {@code cast(node, …)} and {@code abcast(targets, …)}: straight to one receiver.
     *
     * @param toIncarnation the incarnation of the receiver the origin numbered this cast for. A
     *     node that rejoined as its next incarnation drops casts meant for its old one: their
     *     numbers belong to a sequence it no longer follows.
     * @param seq this cast's number among the origin's direct casts to this receiver, from 1
     * @param afterBroadcast the number of the origin's last broadcast before this cast (0 for
     *     none): the receiver delivers this cast only after that broadcast
     */
    record DirectCast(NodeId origin, long toIncarnation, long seq, long afterBroadcast, String name, byte[] payload) implements Cast {
        public DirectCast {
            Objects.requireNonNull(origin, "origin");
            requireSeq(seq);
            if (afterBroadcast < 0) {
                throw new IllegalArgumentException("afterBroadcast must be >= 0, was " + afterBroadcast);
            }
            requireName(name);
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DirectCast c && c.origin.equals(origin) && c.toIncarnation == toIncarnation && c.seq == seq
                    && c.afterBroadcast == afterBroadcast && c.name.equals(name) && Arrays.equals(c.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(origin, toIncarnation, seq, afterBroadcast, name, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "DirectCast[origin=" + origin + ", toIncarnation=" + toIncarnation + ", seq=" + seq + ", afterBroadcast=" + afterBroadcast
                    + ", name=" + name + ", " + payload.length + " bytes]";
        }
    }

    /**
     * Several direct casts from one origin to one receiver in one frame: what the sender had
     * queued for that receiver in one turn of its loop. The casts are consecutive in the
     * origin's numbering for that receiver ({@code seq} n, n+1, …), all meant for one
     * incarnation of it, and are delivered as if they had come one frame each, in list order.
     */
    record CastBatch(List<DirectCast> casts) implements RpcMessage {
        public CastBatch {
            casts = List.copyOf(casts);
            if (casts.size() < 2) {
                throw new IllegalArgumentException("a batch holds at least 2 casts, was " + casts.size());
            }
            DirectCast first = casts.get(0);
            for (int i = 1; i < casts.size(); i++) {
                DirectCast c = casts.get(i);
                if ((c.origin() != first.origin() && !c.origin().equals(first.origin())) || c.seq() != first.seq() + i
                        || c.toIncarnation() != first.toIncarnation()) {
                    throw new IllegalArgumentException("a batch holds consecutive casts of one origin to one receiver; cast " + i + " is " + c);
                }
            }
        }

        public NodeId origin() {
            return casts.get(0).origin();
        }

        public long toIncarnation() {
            return casts.get(0).toIncarnation();
        }

        @Override
        public String toString() {
            return "CastBatch[origin=" + origin() + ", seq=" + casts.get(0).seq() + ".." + casts.get(casts.size() - 1).seq() + "]";
        }
    }

    /**
     * In a {@link Broadcast}: the receiver identified by {@code receiverKey} (see {@link #keyOf})
     * must deliver direct cast {@code directSeq} before the broadcast. A 64-bit key rather than
     * the node's identity keeps a mark at 16 bytes whatever the names; two nodes sharing a key
     * only delay each other's delivery, never reorder or duplicate it.
     */
    record DirectMark(long receiverKey, long directSeq) {

        /** Encoded size of one mark. */
        public static final int BYTES = 16;

        public DirectMark {
            requireSeq(directSeq);
        }

        /** A stable 64-bit key of a node identity (FNV-1a over its name, host, port and incarnation), the same on every JVM. */
        public static long keyOf(NodeId node) {
            long h = 0xcbf29ce484222325L;
            h = fnv(h, node.name().getBytes(StandardCharsets.UTF_8));
            h = fnv(h, new byte[] {0});
            h = fnv(h, node.address().host().getBytes(StandardCharsets.UTF_8));
            long tail = ((long) node.address().port() << 48) ^ node.incarnation();
            for (int i = 0; i < 8; i++) {
                h = fnv(h, new byte[] {(byte) (tail >>> (8 * i))});
            }
            return h;
        }

        private static long fnv(long h, byte[] bytes) {
            for (byte b : bytes) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
            return h;
        }
    }

    private static void requireSeq(long seq) {
        if (seq < 1) {
            throw new IllegalArgumentException("sequence numbers start at 1, was " + seq);
        }
    }

    private static void requireName(String name) {
        if (!Names.isValid(name)) {
            throw new IllegalArgumentException("handler name must be 1.." + Names.MAX_NAME_BYTES + " UTF-8 bytes");
        }
    }
}
