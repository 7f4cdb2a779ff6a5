package io.hyphae.membership.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code rpc} section: limits of multicall and abcast.
 *
 * @param defaultTimeout the timeout of a multicall that names none; longer waits out slow
 *     handlers, shorter reports a stuck node sooner
 * @param maxPayloadBytes the largest request or reply payload; larger ones are refused before
 *     sending, which bounds the memory a caller or handler can make a node hold
 * @param maxInFlight calls this node may have outstanding at once; further calls fail at once
 *     instead of queueing without bound
 */
public record RpcConfig(Duration defaultTimeout, int maxPayloadBytes, int maxInFlight) {

    public static final RpcConfig DEFAULTS = new RpcConfig(Duration.ofSeconds(5), 1 << 20, 1024);

    public RpcConfig {
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    }

    static RpcConfig read(ConfigSection s) {
        RpcConfig d = DEFAULTS;
        RpcConfig c = new RpcConfig(
                s.positiveDuration("default-timeout", d.defaultTimeout()),
                s.bytes("max-payload-size", d.maxPayloadBytes(), 0, 256 << 20),
                s.integer("max-in-flight", d.maxInFlight(), 1, 1 << 20));
        s.rejectUnknownKeys();
        return c;
    }
}
