package io.hyphae.benchmarks;

import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;

/** The T1 benchmark's protocol: pings echoed as pongs, then a one-way stream closed by an end marker. */
sealed interface BenchMessage {

    record Ping(byte[] payload) implements BenchMessage {
    }

    record Pong(byte[] payload) implements BenchMessage {
    }

    record Stream(byte[] payload) implements BenchMessage {
    }

    /** After the last {@link Stream}: the echo side answers with how many it got. */
    record StreamEnd() implements BenchMessage {
    }

    record StreamDone(long received) implements BenchMessage {
    }

    final class Codec implements ProtocolCodec<BenchMessage> {
        static final Codec INSTANCE = new Codec();

        @Override
        public byte protocolId() {
            return 100;
        }

        @Override
        public Class<BenchMessage> messageType() {
            return BenchMessage.class;
        }

        @Override
        public String typeName(BenchMessage m) {
            return m.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
        }

        @Override
        public void encode(BenchMessage m, ByteBuf out) {
            if (m instanceof Ping p) {
                out.writeByte(1);
                WireWriter.writeBytes(out, p.payload());
            } else if (m instanceof Pong p) {
                out.writeByte(2);
                WireWriter.writeBytes(out, p.payload());
            } else if (m instanceof Stream s) {
                out.writeByte(3);
                WireWriter.writeBytes(out, s.payload());
            } else if (m instanceof StreamEnd) {
                out.writeByte(4);
            } else if (m instanceof StreamDone d) {
                out.writeByte(5);
                out.writeLong(d.received());
            }
        }

        @Override
        public BenchMessage decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
            WireReader r = new WireReader(in, limits);
            byte type = r.readByte();
            BenchMessage m = switch (type) {
                case 1 -> new Ping(r.readBytes());
                case 2 -> new Pong(r.readBytes());
                case 3 -> new Stream(r.readBytes());
                case 4 -> new StreamEnd();
                case 5 -> new StreamDone(r.readLong());
                default -> throw new MalformedFrameException("unknown bench message " + type);
            };
            r.end();
            return m;
        }
    }
}
