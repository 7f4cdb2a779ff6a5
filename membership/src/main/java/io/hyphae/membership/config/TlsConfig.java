package io.hyphae.membership.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tls} section: mutual TLS on every connection, on top of the secret handshake.
 * Present and {@code enabled} (the default once the section is written) means every peer must
 * present a certificate that {@code trust} vouches for.
 *
 * @param cert this node's certificate chain (PEM)
 * @param key this node's private key (PEM, PKCS#8)
 * @param trust the CA certificates (PEM) that peers' certificates must chain to
 */
public record TlsConfig(Path cert, Path key, Path trust) {

    public TlsConfig {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(trust, "trust");
    }

    static Optional<TlsConfig> read(ConfigSection s, Path baseDir) {
        boolean enabled = s.bool("enabled", !s.keys().isEmpty());
        Optional<Path> cert = file(s, "cert", baseDir, enabled);
        Optional<Path> key = file(s, "key", baseDir, enabled);
        Optional<Path> trust = file(s, "trust", baseDir, enabled);
        s.rejectUnknownKeys();
        return enabled ? Optional.of(new TlsConfig(cert.orElseThrow(), key.orElseThrow(), trust.orElseThrow())) : Optional.empty();
    }

    /** A PEM file, relative paths taken from the config file's folder; checked only when TLS is on. */
    private static Optional<Path> file(ConfigSection s, String name, Path baseDir, boolean required) {
        Optional<Path> path = s.optionalString(name).map(p -> baseDir.resolve(p).normalize());
        if (!required) {
            return path;
        }
        if (path.isEmpty()) {
            throw s.error(name, "is required when TLS is enabled (expected the path of a PEM file)");
        }
        if (!Files.isReadable(path.get())) {
            throw s.error(name, "expected a readable PEM file, but " + path.get() + " does not exist or cannot be read");
        }
        return path;
    }
}
