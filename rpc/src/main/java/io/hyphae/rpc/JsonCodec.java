package io.hyphae.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * A ready {@link RpcCodec} writing values as JSON with Jackson. {@link ObjectMapper} is
 * thread-safe once configured, so one codec serves every thread.
 *
 * @param <T> the value type, a record or bean Jackson can bind
 */
public final class JsonCodec<T> implements RpcCodec<T> {

    // One shared mapper: building a mapper is expensive and its caches are what make it fast.
    private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper();

    private final ObjectMapper mapper;
    private final Class<T> type;

    private JsonCodec(ObjectMapper mapper, Class<T> type) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.type = Objects.requireNonNull(type, "type");
    }

    /** A codec for {@code type} with Jackson's default settings. */
    public static <T> JsonCodec<T> of(Class<T> type) {
        return new JsonCodec<>(DEFAULT_MAPPER, type);
    }

    /** A codec for {@code type} using the caller's configured mapper (modules, naming, …). */
    public static <T> JsonCodec<T> of(Class<T> type, ObjectMapper mapper) {
        return new JsonCodec<>(mapper, type);
    }

    @Override
    public byte[] encode(T value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + type.getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public T decode(byte[] bytes) {
        try {
            return mapper.readValue(bytes, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("payload is not a JSON " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
