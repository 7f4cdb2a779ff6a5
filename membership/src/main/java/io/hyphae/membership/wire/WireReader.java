package io.hyphae.membership.wire;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Bounded reads for decoders: every length and count is checked against the limits and
 * against the bytes actually present before anything is allocated.
 */
public final class WireReader {

    private final ByteBuf in;
    private final WireLimits limits;

    public WireReader(ByteBuf in, WireLimits limits) {
        this.in = in;
        this.limits = limits;
    }

    public byte readByte() throws MalformedFrameException {
        need(1);
        return in.readByte();
    }

    public boolean readBoolean() throws MalformedFrameException {
        byte b = readByte();
        if (b != 0 && b != 1) {
            throw new MalformedFrameException("boolean byte must be 0 or 1, was " + b);
        }
        return b == 1;
    }

    public int readUnsignedShort() throws MalformedFrameException {
        need(2);
        return in.readUnsignedShort();
    }

    public int readInt() throws MalformedFrameException {
        need(4);
        return in.readInt();
    }

    public long readLong() throws MalformedFrameException {
        need(8);
        return in.readLong();
    }

    /** A count written by {@link WireWriter#writeCount}, at most {@link WireLimits#maxCollectionSize()}. */
    public int readCount() throws MalformedFrameException {
        int n = readInt();
        if (n < 0 || n > limits.maxCollectionSize()) {
            throw new MalformedFrameException("collection size " + n + " outside 0.." + limits.maxCollectionSize());
        }
        return n;
    }

    /** Bytes with an int length prefix, at most the frame limit. */
    public byte[] readBytes() throws MalformedFrameException {
        int n = readInt();
        if (n < 0 || n > limits.maxFrameBytes()) {
            throw new MalformedFrameException("byte array length " + n + " outside 0.." + limits.maxFrameBytes());
        }
        need(n);
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    /** Exactly {@code n} bytes, no prefix (fixed-size fields such as MACs and nonces). */
    public byte[] readFixed(int n) throws MalformedFrameException {
        need(n);
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    public String readString() throws MalformedFrameException {
        int n = readUnsignedShort();
        if (n > limits.maxStringBytes()) {
            throw new MalformedFrameException("string of " + n + " bytes over the limit of " + limits.maxStringBytes());
        }
        need(n);
        // Malformed UTF-8 would decode to replacement characters and re-encode to other (and
        // longer) bytes, so a relayed message would change and could outgrow its limit.
        if (!ByteBufUtil.isText(in, in.readerIndex(), n, StandardCharsets.UTF_8)) {
            throw new MalformedFrameException("string is not valid UTF-8");
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    /**
     * Skips the next string if it is exactly {@code utf8} (the encoding of a string read
     * before), without decoding it; false, reading nothing, when it is another (or the body is
     * too short: {@link #readString} then says why). A decoder reading the same string many
     * times in one frame checks and decodes it once.
     */
    public boolean skipString(byte[] utf8) {
        int at = in.readerIndex();
        if (in.readableBytes() < 2 + utf8.length || in.getUnsignedShort(at) != utf8.length) {
            return false;
        }
        for (int i = 0; i < utf8.length; i++) {
            if (in.getByte(at + 2 + i) != utf8[i]) {
                return false;
            }
        }
        in.skipBytes(2 + utf8.length);
        return true;
    }

    public HostAndPort readHostAndPort() throws MalformedFrameException {
        String host = readString();
        int port = readUnsignedShort();
        if (host.isBlank()) {
            throw new MalformedFrameException("blank host");
        }
        return new HostAndPort(host, port);
    }

    public NodeId readNodeId() throws MalformedFrameException {
        String name = readString();
        HostAndPort address = readHostAndPort();
        long incarnation = readLong();
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > NodeId.MAX_NAME_BYTES) {
            throw new MalformedFrameException("node name must be 1.." + NodeId.MAX_NAME_BYTES + " bytes");
        }
        return NodeIdInterner.intern(new NodeId(name, address, incarnation));
    }

    /** Fails unless the whole body was consumed. */
    public void end() throws MalformedFrameException {
        if (in.isReadable()) {
            throw new MalformedFrameException(in.readableBytes() + " unexpected byte(s) after the message");
        }
    }

    private void need(int n) throws MalformedFrameException {
        if (in.readableBytes() < n) {
            throw new MalformedFrameException("truncated: needed " + n + " byte(s), " + in.readableBytes() + " left");
        }
    }
}
