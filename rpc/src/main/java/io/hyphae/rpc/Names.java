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
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_BYTES) {
            return false;
        }
        // A char is at most 3 UTF-8 bytes (a surrogate pair 4 for 2 chars): short names need no
        // encoding, which matters because every cast on the wire is checked.
        return name.length() <= MAX_NAME_BYTES / 3 || name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES;
    }

    static String require(String name) {
        Objects.requireNonNull(name, "name");
        if (!isValid(name)) {
            throw new IllegalArgumentException("handler name must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes, was '" + name + "'");
        }
        return name;
    }
}
