package io.hyphae.examples.node;

import io.hyphae.examples.admin.AdminAuthenticator;
import io.hyphae.examples.admin.AdminCommands;
import io.hyphae.examples.admin.AdminServer;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.Topic;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code hyphae-node}: the node with RPC on it, its HTTP endpoints and its admin
 * channel. Every node serves two handlers an operator can call through the admin channel:
 * endpoint {@value #ECHO_NAME} (replies {@code "<node name>: <argument>"}) and topic
 * {@value #ANNOUNCE_NAME} (logs what it receives).
 */
public final class NodeServer implements AutoCloseable {

    public static final String ECHO_NAME = "echo";
    public static final String ANNOUNCE_NAME = "announce";
    public static final Endpoint<String, String> ECHO = Endpoint.of(ECHO_NAME, RpcCodec.utf8());
    public static final Topic<String> ANNOUNCE = Topic.of(ANNOUNCE_NAME, RpcCodec.utf8());

    /** Prefix of the machine-readable lines {@code --events} prints (the demo driver reads them). */
    public static final String EVENT = "@event ";

    private static final Logger log = LoggerFactory.getLogger(NodeServer.class);

    private final Rpc rpc;
    private final HealthAndMetrics http;
    private final AdminServer admin;

    private NodeServer(Rpc rpc, HealthAndMetrics http, AdminServer admin) {
        this.rpc = rpc;
        this.http = http;
        this.admin = admin;
    }

    /**
     * Starts the node and its endpoints.
     *
     * @param events where {@code --events} lines go; null for none
     * @throws IllegalStateException when the node cannot start (its port is taken, say)
     * @throws UncheckedIOException when the HTTP or admin port cannot be bound
     */
    public static NodeServer start(HyphaeConfig config, NodeOptions options, PrintStream events) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // Handlers and listener before the node joins: no peer can call it before they exist.
        Rpc rpc = Rpc.start(config, registry, r -> {
            NodeId self = r.self();
            r.register(ECHO, (caller, text) -> self.name() + ": " + text);
            r.subscribe(ANNOUNCE, (sender, text) -> {
                log.info("{} from {}: {}", ANNOUNCE_NAME, sender, text);
                emit(events, ANNOUNCE_NAME + " " + sender + " " + text);
            });
            r.node().addListener(new MembershipListener() {
                @Override
                public void memberUp(NodeId member) {
                    log.info("member up: {}", member);
                    emit(events, "up " + member);
                }

                @Override
                public void memberDown(NodeId member, DownReason reason) {
                    log.info("member down: {} ({})", member, reason);
                    emit(events, "down " + member + " " + reason);
                }
            });
        });
        try {
            NodeId self = rpc.self();
            HealthAndMetrics http = bind("http", () -> HealthAndMetrics.start(options.http(), registry, rpc.node()::joined));
            AdminAuthenticator auth = new AdminAuthenticator(config.transport().secret(), Clock.systemUTC());
            AdminServer admin;
            try {
                admin = bind("admin", () -> AdminServer.start(options.adminPortFor(config), auth, new AdminCommands(rpc)));
            } catch (RuntimeException e) {
                http.close();
                throw e;
            }
            log.info("node {} serving /metrics and /health on {}, admin channel on {}", self, http.address(), admin.address());
            emit(events, "ready " + self + " http=" + http.address().getPort() + " admin=" + admin.address().getPort());
            return new NodeServer(rpc, http, admin);
        } catch (RuntimeException e) {
            rpc.close();
            throw e;
        }
    }

    private interface Binding<T> {
        T bind() throws IOException;
    }

    private static <T> T bind(String what, Binding<T> binding) {
        try {
            return binding.bind();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the " + what + " port: " + e.getMessage(), e);
        }
    }

    private static void emit(PrintStream events, String line) {
        if (events != null) {
            events.println(EVENT + line);
        }
    }

    public Rpc rpc() {
        return rpc;
    }

    /** Leaves the cluster gracefully, then stops the endpoints. */
    @Override
    public void close() {
        rpc.close();
        admin.close();
        http.close();
    }
}
