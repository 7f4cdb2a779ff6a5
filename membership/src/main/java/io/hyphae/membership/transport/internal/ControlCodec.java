package io.hyphae.membership.transport.internal;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.membership.transport.internal.ControlMessage.Challenge;
import io.hyphae.membership.transport.internal.ControlMessage.Goodbye;
import io.hyphae.membership.transport.internal.ControlMessage.Heartbeat;
import io.hyphae.membership.transport.internal.ControlMessage.Hello;
import io.hyphae.membership.transport.internal.ControlMessage.IdleClose;
import io.hyphae.membership.transport.internal.ControlMessage.Proof;
import io.hyphae.membership.transport.internal.ControlMessage.Reject;
import io.hyphae.membership.transport.internal.ControlMessage.Welcome;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Codec of {@link ControlMessage}, protocol id 0. Each body starts with a one-byte message type;
 * {@link Hello} and {@link Challenge} then carry the version first, so a peer of another version
 * is recognised as such ({@link #peekVersion}) even if the rest of its message changed shape.
 * A proof is either empty (a node in insecure development mode) or exactly one MAC.
 */
public final class ControlCodec implements ProtocolCodec<ControlMessage> {

    public static final byte PROTOCOL_ID = 0;
    public static final ControlCodec INSTANCE = new ControlCodec();

    private static final byte HELLO = 1;
    private static final byte CHALLENGE = 2;
    private static final byte PROOF = 3;
    private static final byte WELCOME = 4;
    private static final byte REJECT = 5;
    private static final byte HEARTBEAT = 6;
    private static final byte GOODBYE = 7;
    private static final byte IDLE_CLOSE = 8;

    private ControlCodec() {
    }

    @Override
    public byte protocolId() {
        return PROTOCOL_ID;
    }

    @Override
    public Class<ControlMessage> messageType() {
        return ControlMessage.class;
    }

    @Override
    public String typeName(ControlMessage message) {
        // Java 17 has no pattern switch; the sealed interface keeps this list complete by review.
        if (message instanceof Hello) {
            return "HELLO";
        } else if (message instanceof Challenge) {
            return "CHALLENGE";
        } else if (message instanceof Proof) {
            return "PROOF";
        } else if (message instanceof Welcome) {
            return "WELCOME";
        } else if (message instanceof Reject) {
            return "REJECT";
        } else if (message instanceof Heartbeat) {
            return "HEARTBEAT";
        } else if (message instanceof IdleClose) {
            return "IDLE_CLOSE";
        }
        return "GOODBYE";
    }

    @Override
    public void encode(ControlMessage message, ByteBuf out) {
        if (message instanceof Hello h) {
            out.writeByte(HELLO);
            out.writeShort(h.version());
            WireWriter.writeString(out, h.clusterName());
            WireWriter.writeNodeId(out, h.sender());
            out.writeBytes(h.nonce());
        } else if (message instanceof Challenge c) {
            out.writeByte(CHALLENGE);
            out.writeShort(c.version());
            WireWriter.writeString(out, c.clusterName());
            WireWriter.writeNodeId(out, c.sender());
            out.writeBytes(c.nonce());
            writeProof(out, c.proof());
        } else if (message instanceof Proof p) {
            out.writeByte(PROOF);
            writeProof(out, p.proof());
        } else if (message instanceof Welcome) {
            out.writeByte(WELCOME);
        } else if (message instanceof Reject r) {
            out.writeByte(REJECT);
            out.writeByte(r.reason().ordinal());
        } else if (message instanceof Heartbeat) {
            out.writeByte(HEARTBEAT);
        } else if (message instanceof IdleClose) {
            out.writeByte(IDLE_CLOSE);
        } else {
            out.writeByte(GOODBYE);
        }
    }

    @Override
    public ControlMessage decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
        WireReader r = new WireReader(in, limits);
        byte type = r.readByte();
        ControlMessage m = switch (type) {
            case HELLO -> new Hello(r.readUnsignedShort(), readClusterName(r), r.readNodeId(),
                    r.readFixed(ControlMessage.NONCE_BYTES));
            case CHALLENGE -> new Challenge(r.readUnsignedShort(), readClusterName(r), r.readNodeId(),
                    r.readFixed(ControlMessage.NONCE_BYTES), readProof(r));
            case PROOF -> new Proof(readProof(r));
            case WELCOME -> new Welcome();
            case REJECT -> new Reject(readReason(r));
            case HEARTBEAT -> new Heartbeat();
            case GOODBYE -> new Goodbye();
            case IDLE_CLOSE -> new IdleClose();
            default -> throw new MalformedFrameException("unknown control message type " + type);
        };
        r.end();
        return m;
    }

    /**
     * The version of a {@link Hello} or {@link Challenge} body, read without decoding the rest;
     * empty for any other message or a body too short to say.
     */
    public static OptionalInt peekVersion(ByteBuf body) {
        int at = body.readerIndex();
        if (body.readableBytes() < 3) {
            return OptionalInt.empty();
        }
        byte type = body.getByte(at);
        return type == HELLO || type == CHALLENGE ? OptionalInt.of(body.getUnsignedShort(at + 1)) : OptionalInt.empty();
    }

    private static String readClusterName(WireReader r) throws MalformedFrameException {
        String name = r.readString();
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > TransportConfig.MAX_CLUSTER_NAME_BYTES) {
            throw new MalformedFrameException("cluster name must be 1.." + TransportConfig.MAX_CLUSTER_NAME_BYTES + " bytes");
        }
        return name;
    }

    private static void writeProof(ByteBuf out, byte[] proof) {
        out.writeByte(proof.length);
        out.writeBytes(proof);
    }

    private static byte[] readProof(WireReader r) throws MalformedFrameException {
        int n = r.readByte() & 0xFF;
        if (n != 0 && n != ClusterSecret.MAC_BYTES) {
            throw new MalformedFrameException("proof must be 0 or " + ClusterSecret.MAC_BYTES + " bytes, was " + n);
        }
        return r.readFixed(n);
    }

    private static ControlMessage.Reason readReason(WireReader r) throws MalformedFrameException {
        int code = r.readByte() & 0xFF;
        ControlMessage.Reason[] all = ControlMessage.Reason.values();
        if (code >= all.length) {
            throw new MalformedFrameException("unknown reject reason " + code);
        }
        return all[code];
    }
}
