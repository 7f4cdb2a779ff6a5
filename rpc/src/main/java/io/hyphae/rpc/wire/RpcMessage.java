package io.hyphae.rpc.wire;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.Names;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The RPC protocol's messages (protocol id {@link RpcWireCodec#PROTOCOL_ID}). Requests and
 * replies travel point to point between the caller and one target; casts travel point to point
 * ({@link CastStream#DIRECT}) or through the ordered-broadcast primitive ({@link CastStream#ALL}).
 *
 * <p>Payloads are the bytes of the endpoint's codec; arrays are not copied (messages are
 * built once and handed on), but equality compares their contents so messages are values.
 */
public sealed interface RpcMessage {

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
     * A fire-and-forget message for handler {@code name}, the {@code seq}-th that {@code origin}
     * (this incarnation) sent on {@code stream}. The origin travels in the message because a
     * broadcast reaches most receivers through other nodes.
     */
    record Cast(NodeId origin, CastStream stream, long seq, String name, byte[] payload) implements RpcMessage {
        public Cast {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(stream, "stream");
            if (seq < 1) {
                throw new IllegalArgumentException("seq starts at 1, was " + seq);
            }
            requireName(name);
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cast c && c.origin.equals(origin) && c.stream == stream && c.seq == seq
                    && c.name.equals(name) && Arrays.equals(c.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(origin, stream, seq, name, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Cast[origin=" + origin + ", stream=" + stream + ", seq=" + seq + ", name=" + name + ", " + payload.length + " bytes]";
        }
    }

    /**
     * Which sequence a cast belongs to. Order and deduplication hold within one (origin, stream):
     * a broadcast to every member and the casts sent straight to one node are numbered apart,
     * because a receiver never sees the direct casts sent to others.
     */
    enum CastStream {
        /** {@code abcast(topic, m)}: through the ordered-broadcast primitive to every member. */
        ALL,
        /** {@code cast(node, …)} and {@code abcast(targets, …)}: straight to each target. */
        DIRECT
    }

    private static void requireName(String name) {
        if (!Names.isValid(name)) {
            throw new IllegalArgumentException("handler name must be 1.." + Names.MAX_NAME_BYTES + " UTF-8 bytes");
        }
    }
}
