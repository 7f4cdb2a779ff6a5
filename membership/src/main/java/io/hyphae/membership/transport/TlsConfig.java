package io.hyphae.membership.transport;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS under the handshake: each node presents {@code certificateChain} and accepts only
 * peers whose certificate chains up to one in {@code trustedCertificates}. A rejected peer never
 * reaches the cluster handshake. Host names are not checked: nodes connect by the address a
 * discovery strategy found, and the cluster CA, not DNS, decides who is a node.
 *
 * @param certificateChain PEM file, this node's certificate first, then any intermediates
 * @param privateKey PEM file (PKCS#8) with the key of the first certificate
 * @param trustedCertificates PEM file with the CA certificates that issue node certificates
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path trustedCertificates) {

    public TlsConfig {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    }
}
