package io.hyphae.membership.config;

import io.hyphae.membership.ClusterSecret;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code cluster} section: which cluster a node belongs to and the secret that proves it.
 *
 * @param name the cluster's name, checked in every handshake, so two clusters sharing a
 *     network (or a secret) never merge by accident
 * @param secret the shared secret every connection and gossip packet is authenticated with;
 *     empty only in insecure development mode
 * @param insecureDevMode lets a node run without a secret, so anyone who can reach its port can
 *     join; for a laptop, never for a network others share
 */
public record ClusterConfig(String name, Optional<ClusterSecret> secret, boolean insecureDevMode) {

    public static final String DEFAULT_NAME = "hyphae";

    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(secret, "secret");
        if (name.isBlank()) {
            throw new IllegalArgumentException("cluster name must not be blank");
        }
        if (secret.isEmpty() && !insecureDevMode) {
            throw new IllegalArgumentException("a cluster secret is required unless insecure-dev-mode is true");
        }
    }

    static ClusterConfig read(ConfigSection s) {
        String name = s.string("name", DEFAULT_NAME);
        if (name.isBlank()) {
            throw s.error("name", "expected a non-empty cluster name");
        }
        boolean dev = s.bool("insecure-dev-mode", false);
        Optional<ClusterSecret> secret = s.optionalString("secret").map(text -> {
            try {
                return ClusterSecret.of(text);
            } catch (IllegalArgumentException e) {
                throw s.error("secret", "expected at least " + ClusterSecret.MIN_BYTES + " bytes of secret, got "
                        + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        + " (generate one with: openssl rand -base64 32)");
            }
        });
        if (secret.isEmpty() && !dev) {
            throw s.error("secret", "is required: expected a shared secret of at least " + ClusterSecret.MIN_BYTES
                    + " bytes (for example secret: ${HYPHAE_SECRET}); or set cluster.insecure-dev-mode: true"
                    + " to run without one on a laptop");
        }
        s.rejectUnknownKeys();
        return new ClusterConfig(name, secret, dev);
    }
}
