package io.hyphae.membership.directory;

import io.hyphae.membership.directory.DirectoryMessage.Sync;
import io.hyphae.membership.directory.DirectoryMessage.SyncReply;
import io.hyphae.membership.directory.DirectoryMessage.Update;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The member directory on the wire (protocol id {@value #PROTOCOL_ID}); the same encoding is
 * the payload of a directory broadcast over Plumtree.
 *
 * <pre>
 * UPDATE      1 | members
 * SYNC        2 | buckets:count | hash:long * buckets          (a power of two, at most 1,024)
 * SYNC_REPLY  3 | buckets:count | covered:count | bucket:u16 * covered | members
 * members   = count:int | (NodeId | status:byte | version:long) * count
 * </pre>
 */
public final class DirectoryCodec implements ProtocolCodec<DirectoryMessage> {

    public static final byte PROTOCOL_ID = 3;

    private static final byte UPDATE = 1;
    private static final byte SYNC = 2;
    private static final byte SYNC_REPLY = 3;

    @Override
    public byte protocolId() {
        return PROTOCOL_ID;
    }

    @Override
    public Class<DirectoryMessage> messageType() {
        return DirectoryMessage.class;
    }

    @Override
    public String typeName(DirectoryMessage message) {
        if (message instanceof Update) {
            return "UPDATE";
        } else if (message instanceof Sync) {
            return "SYNC";
        }
        return "SYNC_REPLY";
    }

    @Override
    public void encode(DirectoryMessage message, ByteBuf out) {
        if (message instanceof Update u) {
            out.writeByte(UPDATE);
            writeMembers(out, u.members());
        } else if (message instanceof Sync s) {
            out.writeByte(SYNC);
            WireWriter.writeCount(out, s.buckets());
            for (int i = 0; i < s.buckets(); i++) {
                out.writeLong(s.bucketHash(i));
            }
        } else if (message instanceof SyncReply r) {
            out.writeByte(SYNC_REPLY);
            WireWriter.writeCount(out, r.buckets());
            WireWriter.writeCount(out, r.covered().size());
            r.covered().forEach(out::writeShort);
            writeMembers(out, r.members());
        }
    }

    @Override
    public DirectoryMessage decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
        WireReader r = new WireReader(in, limits);
        byte type = r.readByte();
        DirectoryMessage m;
        try {
            m = switch (type) {
                case UPDATE -> new Update(readMembers(r));
                case SYNC -> new Sync(readDigest(r));
                case SYNC_REPLY -> new SyncReply(r.readCount(), readBuckets(r), readMembers(r));
                default -> throw new MalformedFrameException("unknown directory message type " + type);
            };
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid directory message: " + e.getMessage());
        }
        r.end();
        return m;
    }

    private static void writeMembers(ByteBuf out, List<Member> members) {
        WireWriter.writeCount(out, members.size());
        for (Member m : members) {
            WireWriter.writeNodeId(out, m.id());
            out.writeByte(m.status().wire());
            out.writeLong(m.version());
        }
    }

    private static List<Member> readMembers(WireReader r) throws MalformedFrameException {
        int n = r.readCount();
        List<Member> members = new ArrayList<>(Math.min(n, 64)); // grows only as entries really arrive
        for (int i = 0; i < n; i++) {
            var id = r.readNodeId();
            byte code = r.readByte();
            MemberStatus status = MemberStatus.fromWire(code)
                    .orElseThrow(() -> new MalformedFrameException("unknown member status " + code));
            members.add(new Member(id, status, r.readLong()));
        }
        return members;
    }

    private static long[] readDigest(WireReader r) throws MalformedFrameException {
        int n = r.readCount();
        if (!DirectoryDigest.validBucketCount(n)) {
            throw new MalformedFrameException("invalid digest size " + n);
        }
        long[] digest = new long[n];
        for (int i = 0; i < n; i++) {
            digest[i] = r.readLong();
        }
        return digest;
    }

    private static List<Integer> readBuckets(WireReader r) throws MalformedFrameException {
        int n = r.readCount();
        if (n > DirectoryDigest.FINE_BUCKETS) {
            throw new MalformedFrameException("more covered buckets than a digest has: " + n);
        }
        List<Integer> buckets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            buckets.add(r.readUnsignedShort());
        }
        return buckets;
    }
}
