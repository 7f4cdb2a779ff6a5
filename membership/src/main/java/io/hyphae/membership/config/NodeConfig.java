package io.hyphae.membership.config;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The {@code node} section: this node's name and addresses.
 *
 * @param name the node's name in the directory and in logs; defaults to the machine's host
 *     name and the bind port, so several nodes on one laptop get different names
 * @param bind the address the transport listens on; port 0 takes a free port
 * @param advertise the address peers dial, when it differs from {@code bind} (behind NAT, in a
 *     container, or when binding a wildcard address, where it is required); empty means the
 *     bound address
 */
public record NodeConfig(String name, HostAndPort bind, Optional<HostAndPort> advertise) {

    /** Loopback, so a laptop default never exposes the port to the network. */
    public static final HostAndPort DEFAULT_BIND = new HostAndPort("127.0.0.1", 7946);
    public static final int DEFAULT_PORT = 7946;

    public NodeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(advertise, "advertise");
        nameProblem(name).or(() -> advertiseProblem(bind, advertise)).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    static NodeConfig read(ConfigSection s, UnaryOperator<String> env) {
        HostAndPort bind = s.has("bind") ? s.hostAndPort("bind", DEFAULT_PORT) : DEFAULT_BIND;
        Optional<HostAndPort> advertise = s.has("advertise")
                ? Optional.of(s.hostAndPort("advertise", bind.port()))
                : Optional.empty();
        advertiseProblem(bind, advertise).ifPresent(p -> {
            throw s.error("advertise", p);
        });
        String name = s.optionalString("name").orElseGet(() -> defaultName(env, bind));
        nameProblem(name).ifPresent(p -> {
            throw s.error("name", p);
        });
        s.rejectUnknownKeys();
        return new NodeConfig(name, bind, advertise);
    }

    private static Optional<String> nameProblem(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return bytes == 0 || bytes > NodeId.MAX_NAME_BYTES
                ? Optional.of("expected a name of 1 to " + NodeId.MAX_NAME_BYTES + " UTF-8 bytes, got " + bytes)
                : Optional.empty();
    }

    private static Optional<String> advertiseProblem(HostAndPort bind, Optional<HostAndPort> advertise) {
        if (advertise.isEmpty()) {
            return isWildcard(bind.host())
                    ? Optional.of("is required when bind is a wildcard address (" + bind + "): expected the host:port"
                            + " peers dial, for example advertise: ${POD_IP}:" + bind.port())
                    : Optional.empty();
        }
        HostAndPort a = advertise.get();
        return a.port() == 0 || isWildcard(a.host())
                ? Optional.of("expected an address peers can dial (no wildcard host, no port 0), got " + a)
                : Optional.empty();
    }

    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static String defaultName(UnaryOperator<String> env, HostAndPort bind) {
        String host = env.apply("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return host + "-" + bind.port();
    }
}
