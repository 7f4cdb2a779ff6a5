package io.hyphae.rpc.wire;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.Names;
import io.hyphae.rpc.wire.RpcMessage.Broadcast;
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import io.hyphae.rpc.wire.RpcMessage.DirectMark;
import io.hyphae.rpc.wire.RpcMessage.ErrorReply;
import io.hyphae.rpc.wire.RpcMessage.Reply;
import io.hyphae.rpc.wire.RpcMessage.Request;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;

/**
 * The RPC protocol on the wire. Body layout: a version byte, a type byte, then the fields of
 * that message in record order. Numbers are big-endian; strings and byte arrays carry a length
 * prefix and are checked against {@link WireLimits} before anything is allocated. Enumerations
 * travel as explicit codes, never ordinals, so reordering a Java enum cannot change the wire.
 */
public final class RpcWireCodec implements ProtocolCodec<RpcMessage> {

    /** The first id after the 0..15 reserved for hyphae-membership. */
    public static final byte PROTOCOL_ID = 16;

    // 2: direct casts name the receiver's incarnation they were numbered for.
    static final byte VERSION = 2;

    private static final byte REQUEST = 1;
    private static final byte REPLY = 2;
    private static final byte ERROR_REPLY = 3;
    private static final byte BROADCAST = 4;
    private static final byte DIRECT_CAST = 5;
    private static final byte CAST_BATCH = 6;
    // Smallest encoded batch item: afterBroadcast (8), an empty-prefixed name (2 + 1), payload length (4).
    private static final int MIN_BATCH_ITEM_BYTES = 15;

    private static final byte NO_SUCH_HANDLER = 1;
    private static final byte HANDLER_THREW = 2;
    private static final byte OVERLOADED = 3;

    @Override
    public byte protocolId() {
        return PROTOCOL_ID;
    }

    @Override
    public Class<RpcMessage> messageType() {
        return RpcMessage.class;
    }

    @Override
    public String typeName(RpcMessage message) {
        if (message instanceof Request) {
            return "REQUEST";
        } else if (message instanceof Reply) {
            return "REPLY";
        } else if (message instanceof ErrorReply) {
            return "ERROR_REPLY";
        } else if (message instanceof Broadcast) {
            return "BROADCAST";
        } else if (message instanceof CastBatch) {
            return "CAST_BATCH";
        }
        return "DIRECT_CAST";
    }

    /** A batch is tens of KiB: its frame is sized as if every cast were like the first (in a stream of one topic they are). */
    @Override
    public int sizeHint(RpcMessage message) {
        if (message instanceof CastBatch b) {
            DirectCast first = b.casts().get(0);
            long guess = 64 + (long) b.casts().size() * (Long.BYTES + Short.BYTES + first.name().length() + Integer.BYTES + first.payload().length);
            return (int) Math.min(guess, Integer.MAX_VALUE);
        }
        return ProtocolCodec.super.sizeHint(message);
    }

    @Override
    public void encode(RpcMessage message, ByteBuf out) {
        out.writeByte(VERSION);
        if (message instanceof Request r) {
            out.writeByte(REQUEST);
            out.writeLong(r.callId());
            WireWriter.writeString(out, r.name());
            WireWriter.writeBytes(out, r.payload());
        } else if (message instanceof Reply r) {
            out.writeByte(REPLY);
            out.writeLong(r.callId());
            WireWriter.writeBytes(out, r.payload());
        } else if (message instanceof ErrorReply e) {
            out.writeByte(ERROR_REPLY);
            out.writeLong(e.callId());
            out.writeByte(reasonCode(e.reason()));
            WireWriter.writeString(out, e.detail());
        } else if (message instanceof Broadcast b) {
            out.writeByte(BROADCAST);
            WireWriter.writeNodeId(out, b.origin());
            out.writeLong(b.seq());
            WireWriter.writeCount(out, b.marks().size());
            for (DirectMark m : b.marks()) {
                out.writeLong(m.receiverKey());
                out.writeLong(m.directSeq());
            }
            WireWriter.writeString(out, b.name());
            WireWriter.writeBytes(out, b.payload());
        } else if (message instanceof CastBatch b) {
            // The origin and the first number once; the numbers of the rest follow from it.
            out.writeByte(CAST_BATCH);
            List<DirectCast> casts = b.casts();
            DirectCast first = casts.get(0);
            WireWriter.writeNodeId(out, first.origin());
            out.writeLong(first.toIncarnation());
            out.writeLong(first.seq());
            WireWriter.writeCount(out, casts.size());
            // Batched casts mostly share one topic: its name is encoded once per change, not per cast.
            String name = null;
            byte[] nameUtf8 = null;
            for (DirectCast d : casts) {
                out.writeLong(d.afterBroadcast());
                if (!d.name().equals(name)) {
                    name = d.name();
                    nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
                }
                WireWriter.writeUtf8(out, nameUtf8);
                WireWriter.writeBytes(out, d.payload());
            }
        } else {
            DirectCast d = (DirectCast) message; // the interface is sealed: nothing else is left
            out.writeByte(DIRECT_CAST);
            WireWriter.writeNodeId(out, d.origin());
            out.writeLong(d.toIncarnation());
            out.writeLong(d.seq());
            out.writeLong(d.afterBroadcast());
            WireWriter.writeString(out, d.name());
            WireWriter.writeBytes(out, d.payload());
        }
    }

    @Override
    public RpcMessage decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
        WireReader r = new WireReader(in, limits);
        byte version = r.readByte();
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported RPC wire version " + version + ", expected " + VERSION);
        }
        byte type = r.readByte();
        RpcMessage m = switch (type) {
            case REQUEST -> new Request(r.readLong(), readName(r), r.readBytes());
            case REPLY -> new Reply(r.readLong(), r.readBytes());
            case ERROR_REPLY -> {
                long callId = r.readLong();
                Reason reason = reason(r.readByte());
                String detail = r.readString();
                if (detail.getBytes(StandardCharsets.UTF_8).length > RpcMessage.MAX_DETAIL_BYTES) {
                    throw new MalformedFrameException("error detail over " + RpcMessage.MAX_DETAIL_BYTES + " bytes");
                }
                yield new ErrorReply(callId, reason, detail);
            }
            case BROADCAST -> {
                NodeId origin = r.readNodeId();
                long seq = readSeq(r);
                int count = r.readCount();
                if ((long) count * DirectMark.BYTES > in.readableBytes()) {
                    throw new MalformedFrameException(count + " marks announced, only " + in.readableBytes() + " bytes left");
                }
                List<DirectMark> marks = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    marks.add(new DirectMark(r.readLong(), readSeq(r)));
                }
                yield new Broadcast(origin, seq, marks, readName(r), r.readBytes());
            }
            case DIRECT_CAST -> {
                NodeId origin = r.readNodeId();
                long to = r.readLong();
                long seq = readSeq(r);
                long after = r.readLong();
                if (after < 0) {
                    throw new MalformedFrameException("afterBroadcast must be >= 0, was " + after);
                }
                yield new DirectCast(origin, to, seq, after, readName(r), r.readBytes());
            }
            case CAST_BATCH -> readBatch(r, in);
            default -> throw new MalformedFrameException("unknown RPC message type " + type);
        };
        r.end();
        return m;
    }

    private static CastBatch readBatch(WireReader r, ByteBuf in) throws MalformedFrameException {
        NodeId origin = r.readNodeId();
        long to = r.readLong();
        long first = readSeq(r);
        int count = r.readCount();
        if (count < 2) {
            throw new MalformedFrameException("a cast batch holds at least 2 casts, was " + count);
        }
        if ((long) count * MIN_BATCH_ITEM_BYTES > in.readableBytes()) {
            throw new MalformedFrameException(count + " batched casts announced, only " + in.readableBytes() + " bytes left");
        }
        if (first > Long.MAX_VALUE - count) {
            throw new MalformedFrameException("batch numbers from " + first + " overflow");
        }
        List<DirectCast> casts = new ArrayList<>(count);
        String name = null;
        byte[] nameUtf8 = null;
        for (int i = 0; i < count; i++) {
            long after = r.readLong();
            if (after < 0) {
                throw new MalformedFrameException("afterBroadcast must be >= 0, was " + after);
            }
            // Batched casts mostly share one topic: the name is decoded and checked once per
            // change; the same bytes again are skipped, and the name read before is kept.
            if (nameUtf8 == null || !r.skipString(nameUtf8)) {
                name = checkName(r.readString());
                nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
            }
            casts.add(new DirectCast(origin, to, first + i, after, name, r.readBytes()));
        }
        return new CastBatch(casts);
    }

    private static String readName(WireReader r) throws MalformedFrameException {
        return checkName(r.readString());
    }

    private static String checkName(String name) throws MalformedFrameException {
        if (!Names.isValid(name)) {
            throw new MalformedFrameException("handler name must be 1.." + Names.MAX_NAME_BYTES + " bytes");
        }
        return name;
    }


    private static byte reasonCode(Reason reason) {
        return switch (reason) {
            case NO_SUCH_HANDLER -> NO_SUCH_HANDLER;
            case HANDLER_THREW -> HANDLER_THREW;
            case OVERLOADED -> OVERLOADED;
            default -> throw new IllegalArgumentException(reason + " never travels"); // ErrorReply refuses it first
        };
    }

    private static Reason reason(byte code) throws MalformedFrameException {
        return switch (code) {
            case NO_SUCH_HANDLER -> Reason.NO_SUCH_HANDLER;
            case HANDLER_THREW -> Reason.HANDLER_THREW;
            case OVERLOADED -> Reason.OVERLOADED;
            default -> throw new MalformedFrameException("unknown error reason code " + code);
        };
    }

    private static long readSeq(WireReader r) throws MalformedFrameException {
        long seq = r.readLong();
        if (seq < 1) {
            throw new MalformedFrameException("sequence number must be >= 1, was " + seq);
        }
        return seq;
    }
}
