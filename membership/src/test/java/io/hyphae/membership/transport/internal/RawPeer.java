package io.hyphae.membership.transport.internal;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.internal.ControlMessage.Challenge;
import io.hyphae.membership.transport.internal.ControlMessage.Hello;
import io.hyphae.membership.transport.internal.ControlMessage.Proof;
import io.hyphae.membership.transport.internal.HandshakeProof.Role;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A hand-driven peer on a plain blocking socket: it writes exactly the bytes a test wants
 * (garbage, lying lengths, a handshake done by hand) and can stop reading or talking, which a
 * well-behaved transport never does.
 */
public final class RawPeer implements AutoCloseable {

    public final NodeId id;
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    public RawPeer(HostAndPort target, String name) throws IOException {
        socket = new Socket(target.host(), target.port());
        socket.setSoTimeout(5_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        id = new NodeId(name, new HostAndPort("127.0.0.1", socket.getLocalPort()), 1);
    }

    /** Shrinks the kernel receive buffer, so a peer that stops reading backs up sooner. */
    public static RawPeer withSmallReceiveBuffer(HostAndPort target, String name) throws IOException {
        RawPeer p = new RawPeer(target, name);
        p.socket.setReceiveBufferSize(4096);
        return p;
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A well-formed frame: length, protocol id, body. */
    public void writeFrame(byte protocolId, byte[] body) throws IOException {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(body.length + 1).writeByte(protocolId).writeBytes(body);
        writeRaw(ByteBufUtil.getBytes(b));
    }

    public void writeControl(ControlMessage m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        ControlCodec.INSTANCE.encode(m, b);
        writeFrame(ControlCodec.PROTOCOL_ID, ByteBufUtil.getBytes(b));
    }

    /** Reads one control frame, skipping heartbeats. */
    public ControlMessage readControl() throws IOException, MalformedFrameException {
        while (true) {
            int length = in.readInt();
            byte[] frame = new byte[length];
            in.readFully(frame);
            if (frame[0] != ControlCodec.PROTOCOL_ID) {
                continue;
            }
            ControlMessage m = ControlCodec.INSTANCE.decode(Unpooled.wrappedBuffer(frame, 1, length - 1), WireLimits.DEFAULT);
            if (!(m instanceof ControlMessage.Heartbeat)) {
                return m;
            }
        }
    }

    /**
     * Does the dialler's half of the handshake by hand, with {@code secret} (empty: send an empty
     * proof), and returns the acceptor's identity once it welcomed us.
     */
    public NodeId handshake(String clusterName, Optional<ClusterSecret> secret) throws Exception {
        byte[] nonce = new byte[ControlMessage.NONCE_BYTES];
        new java.security.SecureRandom().nextBytes(nonce);
        Challenge c = hello(clusterName, nonce);
        HandshakeProof proofs = new HandshakeProof(secret);
        writeControl(new Proof(proofs.prove(Role.DIALLER, clusterName, id, c.sender(), nonce, c.nonce())));
        ControlMessage welcome = readControl();
        if (!(welcome instanceof ControlMessage.Welcome)) {
            throw new IllegalStateException("expected WELCOME, got " + welcome);
        }
        return c.sender();
    }

    /** The first half of the dialler's handshake: says hello, returns the acceptor's challenge (it names the acceptor). */
    public Challenge hello(String clusterName, byte[] nonce) throws IOException, MalformedFrameException {
        writeControl(new Hello(ControlMessage.PROTOCOL_VERSION, clusterName, id, nonce));
        return (Challenge) readControl();
    }

    /** True once the other side closed the connection (end of stream or reset) within {@code within}. */
    public boolean closedByPeer(Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        byte[] sink = new byte[8192];
        try {
            while (in.read(sink) >= 0) {
                // discard whatever it still sends (a Reject, heartbeats)
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
