package io.hyphae.membership;

import java.util.Objects;

/**
 * A host (name or literal address, IPv6 without brackets) and a TCP/UDP port, as written in a
 * config file or reported by a discovery strategy. Resolution happens later, so a name that
 * resolves differently tomorrow is followed.
 */
public record HostAndPort(String host, int port) {

    public HostAndPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be within 0..65535, was " + port);
        }
    }

    /**
     * Parses {@code host:port}, {@code [v6addr]:port} or a bare host with {@code defaultPort}
     * (pass -1 to require a port).
     *
     * @throws IllegalArgumentException with a message saying what was expected
     */
    public static HostAndPort parse(String text, int defaultPort) {
        Objects.requireNonNull(text, "text");
        String s = text.trim();
        String host;
        String portText = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("expected [ipv6]:port, got '" + text + "'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected [ipv6]:port, got '" + text + "'");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                portText = s.substring(colon + 1);
            } else {
                host = s; // a bare name, or a bare IPv6 literal
            }
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("expected host:port, got '" + text + "' (no port)");
            }
            port = defaultPort;
        } else {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a port number in '" + text + "', got '" + portText + "'");
            }
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "' (no host)");
        }
        return new HostAndPort(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
