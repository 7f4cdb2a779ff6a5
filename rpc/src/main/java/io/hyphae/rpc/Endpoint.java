package io.hyphae.rpc;

import java.util.Objects;

/**
 * A named request/reply handler and the codecs of its request and reply. Declare it once as a
 * constant shared by the callers and the node that registers the handler.
 *
 * @param name the handler's name, 1..255 UTF-8 bytes
 */
public record Endpoint<Q, R>(String name, RpcCodec<Q> requestCodec, RpcCodec<R> replyCodec) {

    public Endpoint {
        Names.require(name);
        Objects.requireNonNull(requestCodec, "requestCodec");
        Objects.requireNonNull(replyCodec, "replyCodec");
    }

    public static <Q, R> Endpoint<Q, R> of(String name, RpcCodec<Q> requestCodec, RpcCodec<R> replyCodec) {
        return new Endpoint<>(name, requestCodec, replyCodec);
    }

    /** An endpoint whose request and reply share one codec (echo-like handlers). */
    public static <T> Endpoint<T, T> of(String name, RpcCodec<T> codec) {
        return new Endpoint<>(name, codec, codec);
    }
}
