package io.hyphae.membership.overlay;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.overlay.HyParViewMessage.Disconnect;
import io.hyphae.membership.overlay.HyParViewMessage.ForwardJoin;
import io.hyphae.membership.overlay.HyParViewMessage.Join;
import io.hyphae.membership.overlay.HyParViewMessage.Neighbor;
import io.hyphae.membership.overlay.HyParViewMessage.NeighborReply;
import io.hyphae.membership.overlay.HyParViewMessage.Shuffle;
import io.hyphae.membership.overlay.HyParViewMessage.ShuffleReply;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * HyParView on the wire (the messages of the paper's section 4, see {@link HyParViewMessage}),
 * protocol id {@value #PROTOCOL_ID}. Each body is a version byte, a type
 * byte, then the record's fields in order. Counts are bounded by the wire limits and by
 * {@value #MAX_NODES} (a SHUFFLE sample is 1 + ka + kp nodes, far below it), and a TTL by
 * {@value #MAX_TTL}, before anything is allocated.
 */
public final class HyParViewCodec implements ProtocolCodec<HyParViewMessage> {

    public static final byte PROTOCOL_ID = 1;
    /** Bumped when a body layout changes; a peer with another version is refused per message. */
    public static final byte VERSION = 1;
    /** Most nodes in one SHUFFLE or SHUFFLE_REPLY. */
    public static final int MAX_NODES = 256;
    /** Longest random walk accepted. */
    public static final int MAX_TTL = 255;

    private static final byte JOIN = 1;
    private static final byte FORWARD_JOIN = 2;
    private static final byte NEIGHBOR = 3;
    private static final byte NEIGHBOR_REPLY = 4;
    private static final byte DISCONNECT = 5;
    private static final byte SHUFFLE = 6;
    private static final byte SHUFFLE_REPLY = 7;

    @Override
    public byte protocolId() {
        return PROTOCOL_ID;
    }

    @Override
    public Class<HyParViewMessage> messageType() {
        return HyParViewMessage.class;
    }

    @Override
    public String typeName(HyParViewMessage message) {
        if (message instanceof Join) {
            return "JOIN";
        } else if (message instanceof ForwardJoin) {
            return "FORWARD_JOIN";
        } else if (message instanceof Neighbor) {
            return "NEIGHBOR";
        } else if (message instanceof NeighborReply) {
            return "NEIGHBOR_REPLY";
        } else if (message instanceof Disconnect) {
            return "DISCONNECT";
        } else if (message instanceof Shuffle) {
            return "SHUFFLE";
        } else {
            return "SHUFFLE_REPLY";
        }
    }

    @Override
    public void encode(HyParViewMessage message, ByteBuf out) {
        out.writeByte(VERSION);
        if (message instanceof Join) {
            out.writeByte(JOIN);
        } else if (message instanceof ForwardJoin fj) {
            out.writeByte(FORWARD_JOIN);
            WireWriter.writeNodeId(out, fj.newNode());
            out.writeByte(checkTtl(fj.ttl()));
        } else if (message instanceof Neighbor n) {
            out.writeByte(NEIGHBOR);
            WireWriter.writeBoolean(out, n.highPriority());
        } else if (message instanceof NeighborReply r) {
            out.writeByte(NEIGHBOR_REPLY);
            WireWriter.writeBoolean(out, r.accepted());
        } else if (message instanceof Disconnect d) {
            out.writeByte(DISCONNECT);
            WireWriter.writeBoolean(out, d.leaving());
        } else if (message instanceof Shuffle s) {
            out.writeByte(SHUFFLE);
            WireWriter.writeNodeId(out, s.origin());
            out.writeByte(checkTtl(s.ttl()));
            writeNodes(out, s.nodes());
        } else if (message instanceof ShuffleReply r) {
            out.writeByte(SHUFFLE_REPLY);
            writeNodes(out, r.nodes());
        }
    }

    @Override
    public HyParViewMessage decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
        WireReader r = new WireReader(in, limits);
        byte version = r.readByte();
        if (version != VERSION) {
            throw new MalformedFrameException("HyParView version " + version + " not supported (expected " + VERSION + ")");
        }
        byte type = r.readByte();
        HyParViewMessage m = switch (type) {
            case JOIN -> new Join();
            case FORWARD_JOIN -> new ForwardJoin(r.readNodeId(), r.readByte() & 0xFF);
            case NEIGHBOR -> new Neighbor(r.readBoolean());
            case NEIGHBOR_REPLY -> new NeighborReply(r.readBoolean());
            case DISCONNECT -> new Disconnect(r.readBoolean());
            case SHUFFLE -> new Shuffle(r.readNodeId(), r.readByte() & 0xFF, readNodes(r));
            case SHUFFLE_REPLY -> new ShuffleReply(readNodes(r));
            default -> throw new MalformedFrameException("unknown HyParView message type " + type);
        };
        r.end();
        return m;
    }

    private static int checkTtl(int ttl) {
        if (ttl > MAX_TTL) {
            throw new IllegalArgumentException("ttl " + ttl + " over " + MAX_TTL);
        }
        return ttl;
    }

    private static void writeNodes(ByteBuf out, List<NodeId> nodes) {
        if (nodes.size() > MAX_NODES) {
            throw new IllegalArgumentException(nodes.size() + " nodes over " + MAX_NODES);
        }
        WireWriter.writeCount(out, nodes.size());
        for (NodeId n : nodes) {
            WireWriter.writeNodeId(out, n);
        }
    }

    private static List<NodeId> readNodes(WireReader r) throws MalformedFrameException {
        int n = r.readCount();
        if (n > MAX_NODES) {
            throw new MalformedFrameException(n + " nodes in a HyParView message, over " + MAX_NODES);
        }
        List<NodeId> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            nodes.add(r.readNodeId());
        }
        return nodes;
    }
}
