package io.hyphae.membership.wire;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/** The writing half of {@link WireReader}; each method writes what the reader of the same name reads. */
public final class WireWriter {

    private WireWriter() {
    }

    public static void writeBoolean(ByteBuf out, boolean b) {
        out.writeByte(b ? 1 : 0);
    }

    public static void writeCount(ByteBuf out, int n) {
        out.writeInt(n);
    }

    public static void writeBytes(ByteBuf out, byte[] b) {
        out.writeInt(b.length);
        out.writeBytes(b);
    }

    public static void writeString(ByteBuf out, String s) {
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        int n = ByteBufUtil.writeUtf8(out, s);
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes");
        }
        out.setShort(lengthAt, n);
    }

    /** Writes a string already encoded as UTF-8, as {@link #writeString} would write it. */
    public static void writeUtf8(ByteBuf out, byte[] utf8) {
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes");
        }
        out.writeShort(utf8.length);
        out.writeBytes(utf8);
    }

    public static void writeHostAndPort(ByteBuf out, HostAndPort a) {
        writeString(out, a.host());
        out.writeShort(a.port());
    }

    public static void writeNodeId(ByteBuf out, NodeId id) {
        writeString(out, id.name());
        writeHostAndPort(out, id.address());
        out.writeLong(id.incarnation());
    }

    /** Encoded size of a string, for sizing buffers. */
    public static int sizeOf(String s) {
        return 2 + s.getBytes(StandardCharsets.UTF_8).length;
    }
}
