package io.hyphae.membership.transport.internal;

import io.hyphae.membership.transport.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;

/** The two sides of mutual TLS, built once from the PEM files of a {@link TlsConfig}. */
record TlsContexts(SslContext acceptor, SslContext dialler) {

    /** @throws IllegalStateException naming the files when they cannot be read or do not match */
    static TlsContexts load(TlsConfig tls) {
        File chain = tls.certificateChain().toFile();
        File key = tls.privateKey().toFile();
        File trust = tls.trustedCertificates().toFile();
        try {
            SslContext acceptor = SslContextBuilder.forServer(chain, key)
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
            SslContext dialler = SslContextBuilder.forClient()
                    .keyManager(chain, key)
                    .trustManager(trust)
                    // Peers are dialled by whatever address discovery found; the cluster CA decides who is a node.
                    .endpointIdentificationAlgorithm(null)
                    .build();
            return new TlsContexts(acceptor, dialler);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot set up TLS from certificateChain=" + chain + ", privateKey=" + key
                    + ", trustedCertificates=" + trust + ": " + e.getMessage(), e);
        }
    }
}
