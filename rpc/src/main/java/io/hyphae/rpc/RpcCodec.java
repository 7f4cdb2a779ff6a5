package io.hyphae.rpc;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Turns one handler's values into payload bytes and back. Every {@link Endpoint} and
 * {@link Topic} carries its codecs, so the caller and the handler agree on them by sharing
 * the endpoint constant.
 *
 * <p>Codecs must be thread-safe: one instance encodes on caller threads and decodes on
 * handler threads at the same time.
 *
 * @param <T> the value type
 */
public interface RpcCodec<T> {

    byte[] encode(T value);

    /**
     * @throws IllegalArgumentException when {@code bytes} are not a valid encoding; the caller
     *     then reports the node as {@code BAD_REPLY}, the handler side as {@code HANDLER_THREW}
     */
    T decode(byte[] bytes);

    /** Raw bytes, passed through untouched (the array is not copied). */
    static RpcCodec<byte[]> bytes() {
        return BytesCodec.INSTANCE;
    }

    /** UTF-8 text; malformed UTF-8 on decode is refused rather than silently replaced. */
    static RpcCodec<String> utf8() {
        return Utf8Codec.INSTANCE;
    }
}

enum BytesCodec implements RpcCodec<byte[]> {
    INSTANCE;

    @Override
    public byte[] encode(byte[] value) {
        return value;
    }

    @Override
    public byte[] decode(byte[] bytes) {
        return bytes;
    }
}

enum Utf8Codec implements RpcCodec<String> {
    INSTANCE;

    @Override
    public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("payload is not valid UTF-8: " + e.getMessage(), e);
        }
    }
}
