package io.hyphae.membership.plumtree;

import io.hyphae.membership.plumtree.PlumtreeMessage.Announcement;
import io.hyphae.membership.plumtree.PlumtreeMessage.Gossip;
import io.hyphae.membership.plumtree.PlumtreeMessage.Graft;
import io.hyphae.membership.plumtree.PlumtreeMessage.IHave;
import io.hyphae.membership.plumtree.PlumtreeMessage.Prune;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plumtree on the wire (protocol id {@value #PROTOCOL_ID}). Every body starts with a type byte;
 * a message id is the origin's {@link io.hyphae.membership.NodeId} and an 8-byte sequence.
 *
 * <pre>
 * GOSSIP  1 | id | round:int | channel:u16 | payload:bytes
 * IHAVE   2 | count:int | (id | round:int) * count
 * GRAFT   3 | has id:bool | id if present | round:int
 * PRUNE   4
 * </pre>
 */
public final class PlumtreeCodec implements ProtocolCodec<PlumtreeMessage> {

    public static final byte PROTOCOL_ID = 2;

    private static final byte GOSSIP = 1;
    private static final byte IHAVE = 2;
    private static final byte GRAFT = 3;
    private static final byte PRUNE = 4;

    @Override
    public byte protocolId() {
        return PROTOCOL_ID;
    }

    @Override
    public Class<PlumtreeMessage> messageType() {
        return PlumtreeMessage.class;
    }

    @Override
    public String typeName(PlumtreeMessage message) {
        if (message instanceof Gossip) {
            return "GOSSIP";
        } else if (message instanceof IHave) {
            return "IHAVE";
        } else if (message instanceof Graft) {
            return "GRAFT";
        }
        return "PRUNE";
    }

    @Override
    public void encode(PlumtreeMessage message, ByteBuf out) {
        if (message instanceof Gossip g) {
            out.writeByte(GOSSIP);
            writeId(out, g.id());
            out.writeInt(g.round());
            out.writeShort(g.channel());
            WireWriter.writeBytes(out, g.payload());
        } else if (message instanceof IHave h) {
            out.writeByte(IHAVE);
            WireWriter.writeCount(out, h.announcements().size());
            for (Announcement a : h.announcements()) {
                writeId(out, a.id());
                out.writeInt(a.round());
            }
        } else if (message instanceof Graft g) {
            out.writeByte(GRAFT);
            WireWriter.writeBoolean(out, g.id().isPresent());
            g.id().ifPresent(id -> writeId(out, id));
            out.writeInt(g.round());
        } else {
            out.writeByte(PRUNE);
        }
    }

    @Override
    public PlumtreeMessage decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
        WireReader r = new WireReader(in, limits);
        byte type = r.readByte();
        PlumtreeMessage m;
        try {
            m = switch (type) {
                case GOSSIP -> new Gossip(readId(r), r.readInt(), r.readUnsignedShort(), r.readBytes());
                case IHAVE -> readIHave(r);
                case GRAFT -> new Graft(r.readBoolean() ? Optional.of(readId(r)) : Optional.empty(), r.readInt());
                case PRUNE -> new Prune();
                default -> throw new MalformedFrameException("unknown Plumtree message type " + type);
            };
        } catch (IllegalArgumentException e) {
            // a field the record refuses (round or sequence below 1, empty IHAVE): the peer's fault
            throw new MalformedFrameException("invalid Plumtree message: " + e.getMessage());
        }
        r.end();
        return m;
    }

    private static IHave readIHave(WireReader r) throws MalformedFrameException {
        int n = r.readCount();
        // grow as entries actually arrive, so a large count in a short frame allocates nothing
        List<Announcement> list = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            list.add(new Announcement(readId(r), r.readInt()));
        }
        return new IHave(list);
    }

    private static void writeId(ByteBuf out, MessageId id) {
        WireWriter.writeNodeId(out, id.origin());
        out.writeLong(id.sequence());
    }

    private static MessageId readId(WireReader r) throws MalformedFrameException {
        return new MessageId(r.readNodeId(), r.readLong());
    }
}
