package io.hyphae.strategy.gossip;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Optional;

/**
 * Encodes and decodes one gossip datagram (see docs/strategy-gossip.md for the layout):
 *
 * <pre>
 * magic "HYGP" (4) | version (1) | type (1) | cluster (u16 len + UTF-8)
 * | sender name (u16 len + UTF-8) | sender host (u16 len + UTF-8) | sender port (u16)
 * | incarnation (i64) | timestamp ms (i64) | nonce (16) | HMAC-SHA256 of all bytes before it (32)
 * </pre>
 *
 * <p>The MAC field is always present so the layout never depends on configuration; a node
 * without a secret (insecure development mode) writes zeros there and does not check it.
 */
final class GossipPacketCodec {

    static final int MAGIC = 0x48594750; // "HYGP"
    static final byte VERSION = 1;
    static final byte TYPE_HEARTBEAT = 1;
    static final byte TYPE_LEAVING = 2;
    static final int MAC_BYTES = ClusterSecret.MAC_BYTES;
    /** Longest cluster name, node name or host accepted, in UTF-8 bytes. */
    static final int MAX_STRING_BYTES = 255;
    /**
     * Largest datagram sent or accepted. Three strings of at most 255 bytes plus the fixed fields
     * stay under it, and it stays under the common 1280-byte IPv6 minimum MTU, so a packet is
     * never fragmented.
     */
    static final int MAX_PACKET_BYTES = 1200;
    static final WireLimits LIMITS = new WireLimits(MAX_PACKET_BYTES, MAX_STRING_BYTES, 1);

    private GossipPacketCodec() {
    }

    /**
     * The datagram for {@code packet}, authenticated with {@code secret} when there is one.
     *
     * @throws IllegalArgumentException when a string in it is longer than {@link #MAX_STRING_BYTES}
     */
    static byte[] encode(GossipPacket packet, Optional<ClusterSecret> secret) {
        ByteBuf out = Unpooled.buffer(256);
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(packet instanceof GossipPacket.Heartbeat ? TYPE_HEARTBEAT : TYPE_LEAVING);
        writeBounded(out, packet.cluster(), "cluster name");
        writeBounded(out, packet.sender().name(), "node name");
        writeBounded(out, packet.sender().address().host(), "advertised host");
        out.writeShort(packet.sender().address().port());
        out.writeLong(packet.sender().incarnation());
        out.writeLong(packet.timestampMillis());
        out.writeLong(packet.nonce().high());
        out.writeLong(packet.nonce().low());
        byte[] signed = ByteBufUtil.getBytes(out);
        byte[] mac = secret.map(s -> s.mac(signed)).orElseGet(() -> new byte[MAC_BYTES]);
        byte[] datagram = Arrays.copyOf(signed, signed.length + MAC_BYTES);
        System.arraycopy(mac, 0, datagram, signed.length, MAC_BYTES);
        return datagram;
    }

    /**
     * Parses a datagram without trusting it: every length is checked before anything is
     * allocated. The MAC is not checked here; see {@link #authentic}.
     *
     * @throws MalformedFrameException for anything that is not exactly one well-formed packet
     */
    static GossipPacket decode(byte[] datagram) throws MalformedFrameException {
        if (datagram.length > MAX_PACKET_BYTES) {
            throw new MalformedFrameException("packet of " + datagram.length + " bytes over the limit of " + MAX_PACKET_BYTES);
        }
        WireReader in = new WireReader(Unpooled.wrappedBuffer(datagram), LIMITS);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new MalformedFrameException("not a hyphae gossip packet (magic 0x" + Integer.toHexString(magic) + ")");
        }
        byte version = in.readByte();
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported gossip packet version " + version + ", this node speaks " + VERSION);
        }
        byte type = in.readByte();
        if (type != TYPE_HEARTBEAT && type != TYPE_LEAVING) {
            throw new MalformedFrameException("unknown gossip packet type " + type);
        }
        String cluster = in.readString();
        var sender = in.readNodeId();
        long timestamp = in.readLong();
        Nonce nonce = new Nonce(in.readLong(), in.readLong());
        in.readFixed(MAC_BYTES);
        in.end();
        GossipPacket packet = type == TYPE_HEARTBEAT
                ? new GossipPacket.Heartbeat(cluster, sender, timestamp, nonce)
                : new GossipPacket.Leaving(cluster, sender, timestamp, nonce);
        // The MAC covers bytes; what is acted on is the decoded packet. Refusing any packet that
        // does not encode back to its own bytes (invalid UTF-8 decodes to U+FFFD) keeps the two
        // the same thing, so no two different byte strings carry one authenticated meaning.
        byte[] canonical;
        try {
            canonical = encode(packet, Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("a string in the packet is not valid UTF-8");
        }
        int signedLength = datagram.length - MAC_BYTES;
        if (canonical.length != datagram.length || !Arrays.equals(canonical, 0, signedLength, datagram, 0, signedLength)) {
            throw new MalformedFrameException("a string in the packet is not valid UTF-8");
        }
        return packet;
    }

    /**
     * True when the datagram's last {@link #MAC_BYTES} bytes are the HMAC of everything before
     * them under {@code secret}. Call only on a datagram that {@link #decode} accepted.
     */
    static boolean authentic(byte[] datagram, ClusterSecret secret) {
        int signedLength = datagram.length - MAC_BYTES;
        return secret.verify(Arrays.copyOfRange(datagram, signedLength, datagram.length),
                Arrays.copyOf(datagram, signedLength));
    }

    private static void writeBounded(ByteBuf out, String s, String what) {
        if (WireWriter.sizeOf(s) - 2 > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(what + " longer than " + MAX_STRING_BYTES + " UTF-8 bytes: " + s);
        }
        WireWriter.writeString(out, s);
    }
}
