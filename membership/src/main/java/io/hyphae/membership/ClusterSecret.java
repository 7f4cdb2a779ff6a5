package io.hyphae.membership;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared cluster secret. It never leaves the process: peers prove they hold it with
 * HMAC-SHA256 over challenges (transport handshake) or over packets (gossip discovery).
 * {@link #toString()} never shows it.
 */
public final class ClusterSecret {

    /** Shortest secret accepted; shorter ones are guessable. */
    public static final int MIN_BYTES = 16;
    public static final int MAC_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private ClusterSecret(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** @throws IllegalArgumentException when the secret is shorter than {@link #MIN_BYTES} bytes */
    public static ClusterSecret of(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("cluster secret must be at least " + MIN_BYTES + " bytes, was " + bytes.length);
        }
        return new ClusterSecret(bytes);
    }

    /** HMAC-SHA256 over the concatenation of {@code parts}. */
    public byte[] mac(byte[]... parts) {
        Mac mac = newMac();
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** Checks {@code candidate} against the MAC of {@code parts} in constant time. */
    public boolean verify(byte[] candidate, byte[]... parts) {
        return candidate != null && MessageDigest.isEqual(mac(parts), candidate);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSecret other && Arrays.equals(key.getEncoded(), other.key.getEncoded());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key.getEncoded());
    }
}
