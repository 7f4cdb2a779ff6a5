package io.hyphae.membership.transport.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.InboundHandler;
import io.hyphae.membership.wire.MalformedFrameException;
import io.hyphae.membership.wire.ProtocolCodec;
import io.hyphae.membership.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The protocols registered on one transport, by id for inbound frames and by message class for
 * sends. Registration is rare and copies the table; lookups on the hot path read it without locks.
 */
final class Protocols {

    // Most a frame's buffer is sized to up front, whatever its codec guesses (ProtocolCodec.sizeHint).
    private static final int MAX_PRESIZE_BYTES = 1 << 20;

    /** One registered protocol with its handler and a meter tag. */
    static final class Registered<M> {
        final ProtocolCodec<M> codec;
        final InboundHandler<M> handler;
        final String tag;

        Registered(ProtocolCodec<M> codec, InboundHandler<M> handler) {
            this.codec = codec;
            this.handler = handler;
            this.tag = codec.messageType().getSimpleName();
        }

        /** Decodes one frame body; the caller counts and delivers. */
        M decode(ByteBuf body, WireLimits limits) throws MalformedFrameException {
            return codec.decode(body, limits);
        }

        String typeName(Object message) {
            return codec.typeName(codec.messageType().cast(message));
        }

        void deliver(NodeId from, Object message) {
            handler.onMessage(from, codec.messageType().cast(message));
        }

        /** A whole frame: length prefix, protocol id, body. */
        ByteBuf encodeFrame(ByteBufAllocator alloc, Object message) {
            M m = codec.messageType().cast(message);
            ByteBuf frame = alloc.buffer(Integer.BYTES + 1 + Math.min(Math.max(0, codec.sizeHint(m)), MAX_PRESIZE_BYTES));
            try {
                frame.writeInt(0);
                frame.writeByte(codec.protocolId());
                codec.encode(m, frame);
                frame.setInt(0, frame.readableBytes() - Integer.BYTES);
                return frame;
            } catch (RuntimeException e) {
                frame.release(); // a message the codec cannot encode must not leak its buffer
                throw e;
            }
        }
    }

    private volatile Registered<?>[] byId = new Registered<?>[256];
    private final Map<Class<?>, Registered<?>> byClass = new ConcurrentHashMap<>();

    Protocols() {
        byId[ControlCodec.PROTOCOL_ID] = new Registered<>(ControlCodec.INSTANCE, (from, m) -> {
            throw new IllegalStateException("control messages are handled by the connection");
        });
    }

    synchronized <M> void register(ProtocolCodec<M> codec, InboundHandler<M> handler) {
        int id = codec.protocolId() & 0xFF;
        if (byId[id] != null) {
            throw new IllegalArgumentException("protocol id " + id + " is already registered (by "
                    + byId[id].codec.messageType().getName() + ")");
        }
        Registered<?>[] copy = byId.clone();
        copy[id] = new Registered<>(codec, handler);
        byId = copy;
    }

    Optional<Registered<?>> byId(byte id) {
        return Optional.ofNullable(byId[id & 0xFF]);
    }

    Registered<?> control() {
        return byId[ControlCodec.PROTOCOL_ID];
    }

    /** @throws IllegalArgumentException if no registered protocol sends this message's type */
    Registered<?> forMessage(Object message) {
        Class<?> type = message.getClass();
        Registered<?> r = byClass.get(type);
        if (r == null) {
            for (Registered<?> candidate : byId) {
                if (candidate != null && candidate.codec.protocolId() != ControlCodec.PROTOCOL_ID
                        && candidate.codec.messageType().isInstance(message)) {
                    r = candidate;
                    byClass.put(type, r);
                    break;
                }
            }
        }
        if (r == null) {
            throw new IllegalArgumentException("no registered protocol sends " + type.getName());
        }
        return r;
    }
}
