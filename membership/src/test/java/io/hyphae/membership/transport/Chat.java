package io.hyphae.membership.transport;

import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.hyphae.membership.wire.WireReader;
import io.hyphae.membership.wire.WireWriter;
import io.netty.buffer.ByteBuf;

/** A small protocol for tests: text and opaque blobs. */
public sealed interface Chat {

    byte PROTOCOL_ID = 42;

    record Text(String text) implements Chat {
    }

    record Blob(byte[] bytes) implements Chat {
    }

    /** The codec, with the same bounded reads a real protocol uses. */
    final class Codec implements ProtocolCodec<Chat> {
        public static final Codec INSTANCE = new Codec();

        @Override
        public byte protocolId() {
            return PROTOCOL_ID;
        }

        @Override
        public Class<Chat> messageType() {
            return Chat.class;
        }

        @Override
        public String typeName(Chat message) {
            return message instanceof Text ? "TEXT" : "BLOB";
        }

        @Override
        public void encode(Chat message, ByteBuf out) {
            if (message instanceof Text t) {
                out.writeByte(1);
                WireWriter.writeString(out, t.text());
            } else if (message instanceof Blob b) {
                out.writeByte(2);
                WireWriter.writeBytes(out, b.bytes());
            }
        }

        @Override
        public Chat decode(ByteBuf in, WireLimits limits) throws MalformedFrameException {
            WireReader r = new WireReader(in, limits);
            byte type = r.readByte();
            Chat m = switch (type) {
                case 1 -> new Text(r.readString());
                case 2 -> new Blob(r.readBytes());
                default -> throw new MalformedFrameException("unknown chat type " + type);
            };
            r.end();
            return m;
        }
    }
}
