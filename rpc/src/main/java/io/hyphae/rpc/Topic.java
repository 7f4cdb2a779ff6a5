package io.hyphae.rpc;

import java.util.Objects;

/**
 * A named fire-and-forget handler (the target of {@code cast} and {@code abcast}) and the
 * codec of its messages.
 *
 * @param name the handler's name, 1..255 UTF-8 bytes; shares one name space with endpoints
 */
public record Topic<M>(String name, RpcCodec<M> codec) {

    public Topic {
        Names.require(name);
        Objects.requireNonNull(codec, "codec");
    }

    public static <M> Topic<M> of(String name, RpcCodec<M> codec) {
        return new Topic<>(name, codec);
    }
}
