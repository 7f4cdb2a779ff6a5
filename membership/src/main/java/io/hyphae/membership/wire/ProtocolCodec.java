package io.hyphae.membership.wire;

import io.netty.buffer.ByteBuf;

/**
 * One protocol's messages on the wire. Each protocol (transport control, HyParView, Plumtree,
 * directory, RPC) is a sealed interface with one record per message, and one codec. The
 * transport puts {@link #protocolId()} in front of every frame body and hands the body to the
 * codec that registered that id.
 *
 * <p>Decoders check every length and count against {@link WireLimits} before allocating, using
 * {@link WireReader}, and throw {@link MalformedFrameException} for anything else that is wrong;
 * the transport then closes that one connection, logs the reason and counts it.
 *
 * @param <M> the protocol's sealed message interface
 */
public interface ProtocolCodec<M> {

    /** Unique per protocol on one transport. Ids 0 to 15 are reserved for hyphae-membership. */
    byte protocolId();

    /** The protocol's sealed message interface. */
    Class<M> messageType();

    /** A short, stable name for the message's type, used as a meter tag (for example {@code JOIN}). */
    String typeName(M message);

    /**
     * About how many bytes {@code message} encodes to, for sizing its frame's buffer up front: a
     * guess, not a bound (the buffer grows past it). Worth overriding for messages of many KiB,
     * which would otherwise grow, and be copied, from a small buffer step by step.
     */
    default int sizeHint(M message) {
        return 256;
    }

    /** Writes {@code message} (without the protocol id) to {@code out}. */
    void encode(M message, ByteBuf out);

    /**
     * Reads exactly one message from {@code in}, which holds one frame body (without the
     * protocol id); bytes left over are an error.
     */
    M decode(ByteBuf in, WireLimits limits) throws MalformedFrameException;
}
