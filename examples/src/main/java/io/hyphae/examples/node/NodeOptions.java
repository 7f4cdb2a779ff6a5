package io.hyphae.examples.node;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.config.HyphaeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line of {@code hyphae-node}, parsed.
 *
 * <pre>
 * hyphae-node --config FILE [--http HOST:PORT] [--admin-port PORT] [--events]
 * hyphae-node admin --config FILE [--admin-port PORT] members | views | multicall NAME ARG | abcast NAME ARG | faults ...
 * </pre>
 *
 * @param admin the admin command and its arguments; empty to run a node
 * @param config the node's config file (the admin command reads the cluster secret and the admin port from it)
 * @param http where /metrics and /health/* are served
 * @param adminPort the loopback port of the admin channel; empty for the default (see {@link #adminPortFor})
 * @param events print one machine-readable line per membership and cast event on standard output (the demo reads them)
 */
public record NodeOptions(Optional<List<String>> admin, Path config, HostAndPort http, Optional<Integer> adminPort,
                          boolean events) {

    public static final HostAndPort DEFAULT_HTTP = new HostAndPort("0.0.0.0", 8080);

    public static final String USAGE = """
            usage: hyphae-node --config FILE [--http HOST:PORT] [--admin-port PORT] [--events]
                   hyphae-node admin --config FILE [--admin-port PORT] COMMAND
            Runs a hyphae node from a config file, serving /metrics, /health/live and /health/ready
            on --http (default 0.0.0.0:8080), and the admin channel on 127.0.0.1 (default port: the
            node's port + 1000), authenticated with the cluster secret.
            admin commands:
              members                 every member the node's directory holds, with its status
              views                   the node's HyParView active and passive views
              multicall NAME ARG      calls handler NAME (UTF-8 in and out) on every live member
              abcast NAME ARG         casts ARG to topic NAME on every live member
              faults list|clear       the node's fault rules (docs/fault-injection.md); clear removes them all
              faults add RULE         adds one, e.g. 'faults add drop 0.1 to=b', 'faults add partition a,b c,d'
              faults remove ID        removes rule ID
            exit codes: 0 ok, 1 failed (cannot bind, node or admin channel unreachable, refused), 2 bad usage or config""";

    /** A command line that cannot be understood; {@code hyphae-node} exits with 2. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    /** Between the node's port and its admin port when {@code --admin-port} is not given. */
    public static final int ADMIN_PORT_OFFSET = 1000;

    /**
     * The admin channel's port: {@code --admin-port}, else the node's transport port + 1000, so
     * the node and {@code hyphae-node admin} find the same port from the same file (and nodes of
     * one machine on consecutive ports get consecutive admin ports). 0 (a free port, logged at
     * start) when the node's port is 0 or too high.
     */
    public int adminPortFor(HyphaeConfig config) {
        int nodePort = config.transport().bindAddress().port();
        return adminPort.orElse(nodePort == 0 || nodePort + ADMIN_PORT_OFFSET > 65535 ? 0 : nodePort + ADMIN_PORT_OFFSET);
    }

    public static NodeOptions parse(String... args) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean adminMode = !rest.isEmpty() && rest.get(0).equals("admin");
        if (adminMode) {
            rest.remove(0);
        }
        Path config = null;
        HostAndPort http = DEFAULT_HTTP;
        Optional<Integer> adminPort = Optional.empty();
        boolean events = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            switch (arg) {
                case "--config" -> config = Path.of(value(rest, ++i, arg));
                case "--http" -> http = address(value(rest, ++i, arg));
                case "--admin-port" -> adminPort = Optional.of(port(value(rest, ++i, arg)));
                case "--events" -> events = true;
                case "-h", "--help" -> throw new UsageException("");
                default -> {
                    if (arg.startsWith("--")) {
                        throw new UsageException("unknown option " + arg);
                    }
                    positional.add(arg);
                }
            }
        }
        if (config == null) {
            throw new UsageException("--config FILE is required");
        }
        if (!adminMode) {
            if (!positional.isEmpty()) {
                throw new UsageException("unexpected argument " + positional.get(0));
            }
            return new NodeOptions(Optional.empty(), config, http, adminPort, events);
        }
        checkAdminCommand(positional);
        return new NodeOptions(Optional.of(List.copyOf(positional)), config, http, adminPort, events);
    }

    private static void checkAdminCommand(List<String> command) {
        if (command.isEmpty()) {
            throw new UsageException("admin needs a command: members, views, multicall NAME ARG, abcast NAME ARG, faults ...");
        }
        int expected = switch (command.get(0)) {
            case "members", "views" -> 1;
            case "multicall", "abcast" -> 3;
            case "faults" -> {
                if (command.size() < 2) {
                    throw new UsageException("admin faults takes list, add RULE, remove ID or clear");
                }
                yield command.size(); // the node checks the rule and says what is wrong with it
            }
            default -> throw new UsageException("unknown admin command '" + command.get(0)
                    + "' (members, views, multicall NAME ARG, abcast NAME ARG, faults ...)");
        };
        if (command.size() != expected) {
            throw new UsageException("admin " + command.get(0) + " takes " + (expected - 1) + " argument(s), got "
                    + (command.size() - 1));
        }
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static HostAndPort address(String text) {
        try {
            return HostAndPort.parse(text, DEFAULT_HTTP.port());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--http: " + e.getMessage());
        }
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--admin-port: expected a port 0-65535, got '" + text + "'");
    }
}
