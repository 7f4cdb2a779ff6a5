package io.hyphae.rpc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The one rule for handler names, shared by endpoints, topics and the wire codec. */
public final class Names {

    /** Longest handler name, in UTF-8 bytes: long enough for dotted names, short on every frame. */
    public static final int MAX_NAME_BYTES = 255;

    private Names() {
    }

    /** True when {@code name} is 1..{@link #MAX_NAME_BYTES} UTF-8 bytes. */
    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES;
    }

    static String require(String name) {
        Objects.requireNonNull(name, "name");
        if (!isValid(name)) {
            throw new IllegalArgumentException("handler name must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes, was '" + name + "'");
        }
        return name;
    }
}
