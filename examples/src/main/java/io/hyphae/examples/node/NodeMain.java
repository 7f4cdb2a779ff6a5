package io.hyphae.examples.node;

import io.hyphae.examples.admin.AdminAuthenticator;
import io.hyphae.examples.admin.AdminClient;
import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.HyphaeConfig;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code hyphae-node}: runs a node from a config file, or sends it an admin command. See
 * {@link NodeOptions#USAGE}. Exit codes: 0 done, 1 failed at run time (a port cannot be bound,
 * the admin channel is unreachable or refused the request), 2 bad command line or config file.
 */
public final class NodeMain {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_USAGE = 2;

    private NodeMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != OK) {
            System.exit(code);
        }
        // A node runs until a signal; its shutdown hook (below) leaves the cluster. The admin
        // command returns here, and the JVM exits as its threads are daemons.
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        NodeOptions options;
        HyphaeConfig config;
        try {
            options = NodeOptions.parse(args);
            config = HyphaeConfig.load(options.config());
        } catch (NodeOptions.UsageException e) {
            if (e.getMessage().isEmpty()) { // --help
                out.println(NodeOptions.USAGE);
                return OK;
            }
            err.println("hyphae-node: " + e.getMessage());
            err.println(NodeOptions.USAGE);
            return BAD_USAGE;
        } catch (ConfigException e) {
            err.println("hyphae-node: " + e.getMessage());
            return BAD_USAGE;
        }
        return options.admin().isPresent() ? admin(options, config, out, err) : serve(options, config, out, err);
    }

    private static int serve(NodeOptions options, HyphaeConfig config, PrintStream out, PrintStream err) {
        NodeServer server;
        try {
            server = NodeServer.start(config, options, options.events() ? out : null);
        } catch (ConfigException e) {
            // A strategy refuses its block only when it is created.
            err.println("hyphae-node: " + e.getMessage());
            return BAD_USAGE;
        } catch (IllegalStateException | UncheckedIOException e) {
            err.println("hyphae-node: cannot start: " + e.getMessage());
            return FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "hyphae-node-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    private static int admin(NodeOptions options, HyphaeConfig config, PrintStream out, PrintStream err) {
        List<String> command = options.admin().orElseThrow();
        int port = options.adminPortFor(config);
        if (port == 0) {
            err.println("hyphae-node: the node's port is 0 (chosen at start), so its admin port is too: pass --admin-port");
            return BAD_USAGE;
        }
        AdminClient client = new AdminClient(port, new AdminAuthenticator(config.transport().secret(), Clock.systemUTC()),
                Clock.systemUTC());
        AdminClient.Reply reply;
        try {
            reply = client.send(command.get(0), command.subList(1, command.size()));
        } catch (AdminClient.UnreachableException e) {
            err.println("hyphae-node: " + e.getMessage());
            return FAILED;
        }
        if (!reply.ok()) {
            err.print("hyphae-node: " + command.get(0) + " refused (HTTP " + reply.status() + "): " + reply.text());
            return FAILED;
        }
        out.print(reply.text());
        return OK;
    }
}
