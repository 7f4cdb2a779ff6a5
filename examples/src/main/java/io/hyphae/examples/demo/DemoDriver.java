package io.hyphae.examples.demo;

import io.hyphae.examples.admin.AdminAuthenticator;
import io.hyphae.examples.admin.AdminClient;
import io.hyphae.examples.node.NodeMain;
import io.hyphae.examples.node.NodeServer;
import io.hyphae.testkit.ChildProcess;
import io.hyphae.testkit.FreePorts;
import io.hyphae.membership.ClusterSecret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The demo: five hyphae nodes, each its own JVM on 127.0.0.1, and a transcript of what they
 * report. The driver starts the processes ({@code hyphae-node --events}), reads their event
 * lines, and asks them things over their admin channel, signed with the cluster secret as an
 * operator's {@code hyphae-node admin} would; it never looks inside a node any other way.
 *
 * <p>Steps: the cluster forms (members as they join, then the overlay's links); a multicall that
 * gathers every reply; an abcast every node reports receiving; one node killed with
 * {@code kill -9}, the next multicall naming it a bad node, and the others reporting it down;
 * the node restarted (a new incarnation) and rejoining. {@link #close} stops every process.
 */
public final class DemoDriver implements AutoCloseable {

    /** Where a step gives up. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> NODE_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
            "-Xmx128m", "-Dorg.slf4j.simpleLogger.showDateTime=true");

    /** How the nodes find each other. */
    public enum Discovery { GOSSIP, STATIC, AUTO }

    private final int size;
    private final String classPath;
    private final Path workDir;
    private final Transcript out;
    private final Object lock = new Object();
    private final List<DemoNode> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final String secret;
    private final AdminAuthenticator auth;
    private volatile Phase phase = Phase.STARTING;
    private volatile String victimOldId = "";
    private volatile long killedAtNanos;
    private volatile DemoNode killed;

    private enum Phase { STARTING, FORMING, QUIET, ABCAST, KILLED, RESTARTING }

    /**
     * @param classPath the class path of the node JVMs (the runnable jar, or a test's class path)
     * @param workDir where the config, the node logs and the pid file go
     */
    public DemoDriver(int size, String classPath, Path workDir, java.io.PrintStream out, boolean terminal) {
        this.size = size;
        this.classPath = classPath;
        this.workDir = workDir;
        this.out = new Transcript(out, terminal);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.secret = Base64.getEncoder().encodeToString(random);
        this.auth = new AdminAuthenticator(Optional.of(ClusterSecret.of(secret)), Clock.systemUTC());
    }

    /** Runs every step; throws {@link DemoFailure} naming the step that did not happen. */
    public void run(Discovery discovery) throws IOException {
        Files.createDirectories(workDir);
        for (int i = 0; i < size; i++) {
            ports.add(FreePorts.tcp());
        }
        out.line("hyphae demo: " + size + " nodes, each its own JVM on 127.0.0.1; config and node logs in " + workDir);
        Path config = writeConfig(discovery);

        out.step("starting " + size + " nodes");
        phase = Phase.FORMING;
        for (int i = 1; i <= size; i++) {
            DemoNode node = new DemoNode("node-" + i, lock);
            nodes.add(node);
            start(node, config);
        }
        awaitFormed("the cluster to form", null);
        out.endProgress();
        out.line("cluster formed: " + size + " members on every node");
        phase = Phase.QUIET;
        printLinks();

        DemoNode caller = nodes.get(0);
        out.step("multicall " + NodeServer.ECHO_NAME + " \"hello\" from " + caller.name + " to every live member");
        multicall(caller);

        DemoNode sender = nodes.get(1);
        String text = "hello from " + sender.name;
        out.step("abcast " + NodeServer.ANNOUNCE_NAME + " \"" + text + "\" from " + sender.name);
        phase = Phase.ABCAST;
        admin(sender, "abcast", NodeServer.ANNOUNCE_NAME, text);
        await("every node to receive the abcast", () -> nodes.stream().allMatch(n -> n.announces().stream()
                .anyMatch(a -> a.text().equals(text))));
        out.line("abcast received by " + size + "/" + size + " nodes");
        phase = Phase.QUIET;

        DemoNode victim = nodes.get(2);
        victimOldId = victim.self().orElseThrow();
        out.step("kill -9 " + victim.name + " (pid " + victim.process().pid() + ")");
        phase = Phase.KILLED;
        killed = victim;
        killedAtNanos = System.nanoTime();
        victim.process().killHard();
        out.line(victim.name + " is gone: exit status " + victim.process().waitFor(Duration.ofSeconds(5))
                .map(String::valueOf).orElse("?") + " (128 + 9, SIGKILL)");
        // To the five nodes by name: the others may have heard of the death already (a refused
        // redial confirms it at once), and a multicall to "every live member" would then leave
        // the dead node out rather than name it
        out.line("multicall " + NodeServer.ECHO_NAME + " \"hello again\" from " + caller.name + " to the five nodes");
        multicall(caller, "hello again", nodes.stream().map(n -> n.name).toArray(String[]::new));
        List<DemoNode> others = nodes.stream().filter(n -> n != victim).toList();
        await("the others to report " + victim.name + " down", () -> others.stream()
                .allMatch(n -> n.downs().stream().anyMatch(d -> d.member().equals(victimOldId))));
        out.line("down event seen on " + others.size() + "/" + others.size() + " other nodes");

        out.step("restart " + victim.name + " on the same address");
        phase = Phase.RESTARTING;
        DemoNode reborn = new DemoNode(victim.name, lock);
        nodes.set(nodes.indexOf(victim), reborn);
        start(reborn, config);
        await(reborn.name + " to start", () -> reborn.self().isPresent());
        String newId = reborn.self().orElseThrow();
        out.line(reborn.name + " started as incarnation " + DemoNode.incarnationOf(newId) + " (was "
                + DemoNode.incarnationOf(victimOldId) + ")");
        awaitFormed(reborn.name + " to rejoin", newId);
        out.line(reborn.name + " rejoined as incarnation " + DemoNode.incarnationOf(newId) + " (was "
                + DemoNode.incarnationOf(victimOldId) + "): up on " + size + "/" + size + " nodes");
        phase = Phase.QUIET;
        out.line("multicall " + NodeServer.ECHO_NAME + " \"welcome back\" from " + caller.name);
        multicall(caller, "welcome back");
    }

    private void start(DemoNode node, Path config) {
        int port = ports.get(nodes.indexOf(node));
        Map<String, String> env = Map.of("HYPHAE_SECRET", secret, "NODE_NAME", node.name, "PORT", Integer.toString(port));
        ChildProcess process = ChildProcess.startJava(node.name, classPath, NODE_JVM, NodeMain.class.getName(),
                List.of("--config", workDir.resolve("demo.yaml").toString(), "--http", "127.0.0.1:0", "--admin-port", "0",
                        "--events"),
                env, ProcessBuilder.Redirect.appendTo(workDir.resolve(node.name + ".log").toFile()), line -> node.accept(line, this::event));
        node.attach(process);
        writePids();
        out.line("started " + node.name + " (pid " + process.pid() + ") on 127.0.0.1:" + port);
    }

    /** Prints what matters for the current step, as the nodes report it. */
    private void event(DemoNode node, DemoNode.Event event) {
        switch (phase) {
            case FORMING -> {
                if (event instanceof DemoNode.Event.Up up && !DemoNode.nameOf(up.member()).equals(node.name)
                        && firstToSee(node, up.member())) {
                    out.line(DemoNode.nameOf(up.member()) + " joined: " + up.member() + " (first seen by " + node.name + ")");
                }
                out.progress(formingProgress(), formed());
            }
            case ABCAST -> {
                if (event instanceof DemoNode.Event.Announce a) {
                    out.line(node.name + " received from " + DemoNode.nameOf(a.from()) + ": \"" + a.text() + "\"");
                }
            }
            case KILLED -> {
                if (event instanceof DemoNode.Event.Down d && d.member().equals(victimOldId)) {
                    out.line(String.format("%s reports %s down: %s (%.1f s after the kill)", node.name, d.member(),
                            d.reason(), (System.nanoTime() - killedAtNanos) / 1e9));
                }
            }
            case RESTARTING -> {
                if (event instanceof DemoNode.Event.Up up && DemoNode.nameOf(up.member()).equals(DemoNode.nameOf(victimOldId))
                        && !up.member().equals(victimOldId) && !node.name.equals(DemoNode.nameOf(victimOldId))) {
                    out.line(node.name + " sees " + up.member() + " up");
                }
            }
            default -> {
            }
        }
    }

    private boolean firstToSee(DemoNode observer, String member) {
        return nodes.stream().filter(n -> n != observer && !n.name.equals(DemoNode.nameOf(member)))
                .noneMatch(n -> n.live().containsValue(member));
    }

    /** Nodes started and (observer, member) pairs live, out of all. */
    private String formingProgress() {
        long seen = nodes.stream().mapToLong(n -> n.live().size()).sum();
        long ready = nodes.stream().filter(n -> n.self().isPresent()).count();
        int bar = (int) (20 * seen / ((long) size * size));
        return String.format("forming [%s%s] %d/%d nodes up, %d/%d member views", "#".repeat(bar), ".".repeat(20 - bar),
                ready, size, seen, size * size);
    }

    private boolean formed() {
        return nodes.stream().allMatch(n -> n.self().isPresent() && n.live().size() == size);
    }

    private void awaitFormed(String what, String mustInclude) {
        await(what, () -> nodes.stream().allMatch(n -> n.self().isPresent() && n.live().size() == size
                && (mustInclude == null || n.live().containsValue(mustInclude))));
    }

    private void printLinks() {
        out.line("overlay links (HyParView active views; passive views hold the spares):");
        for (DemoNode node : nodes) {
            AdminClient.Reply views = admin(node, "views");
            String active = views.lines("active").stream().map(DemoNode::nameOf).sorted().collect(Collectors.joining(", "));
            out.line("  " + node.name + " -- " + active + "   (passive: " + views.lines("passive").size() + ")");
        }
    }

    private void multicall(DemoNode caller) {
        multicall(caller, "hello");
    }

    private void multicall(DemoNode caller, String argument, String... targets) {
        long start = System.nanoTime();
        List<String> args = new ArrayList<>(List.of(NodeServer.ECHO_NAME, argument));
        args.addAll(List.of(targets));
        AdminClient.Reply reply = admin(caller, "multicall", args.toArray(String[]::new));
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<String> replies = reply.lines("reply");
        List<String> bad = reply.lines("bad");
        replies.forEach(r -> out.line("  reply from " + r.replaceFirst(" ", ": \"") + "\""));
        bad.forEach(b -> out.line("  bad node: " + b));
        out.line("multicall " + NodeServer.ECHO_NAME + " from " + caller.name + ": " + replies.size() + " replies, "
                + bad.size() + " bad node" + (bad.size() == 1 ? "" : "s") + " (" + millis + " ms)");
    }

    private AdminClient.Reply admin(DemoNode node, String command, String... args) {
        int port = node.ready().orElseThrow().adminPort();
        AdminClient.Reply reply = new AdminClient(port, auth, Clock.systemUTC()).send(command, List.of(args));
        if (!reply.ok()) {
            throw new DemoFailure(command + " on " + node.name + " refused (HTTP " + reply.status() + "): " + reply.text().strip());
        }
        return reply;
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DemoFailure("timed out after " + STEP_TIMEOUT.toSeconds() + " s waiting for " + what
                            + "; see the node logs in " + workDir);
                }
                for (DemoNode n : nodes) {
                    if (n != killed && !n.process().isAlive()) {
                        throw new DemoFailure(n.name + " exited unexpectedly; see " + workDir.resolve(n.name + ".log"));
                    }
                }
                try {
                    lock.wait(Math.max(1, Math.min(left / 1_000_000, 500)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DemoFailure("interrupted while waiting for " + what);
                }
            }
        }
    }

    private Path writeConfig(Discovery discovery) throws IOException {
        String name = "demo-" + HexFormat.of().formatHex(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 3);
        String discoveryBlock;
        Optional<String> problem = discovery == Discovery.STATIC ? Optional.of("--discovery static")
                : MulticastProbe.loopbackProblem(Duration.ofSeconds(1));
        if (problem.isEmpty()) {
            int udp = FreePorts.udp();
            discoveryBlock = """
                      - strategy: gossip          # UDP multicast heartbeats on lo, signed with the secret
                        port: %d                  # a free port, so concurrent demos do not hear each other
                        interval: 250ms
                    """.formatted(udp);
            out.line("discovery: gossip (multicast 239.255.77.77:" + udp + " on the loopback interface)");
        } else {
            if (discovery == Discovery.GOSSIP) {
                throw new DemoFailure("multicast does not work on loopback here: " + problem.get());
            }
            discoveryBlock = "  - strategy: static\n    seeds: ["
                    + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", ")) + "]\n";
            out.line("discovery: static seeds (" + problem.get() + (discovery == Discovery.AUTO
                    ? "; multicast on loopback is not routable here, so falling back to static" : "") + ")");
        }
        String yaml = """
                # Written by the hyphae demo: every node runs this file with its own NODE_NAME and PORT.
                cluster:
                  name: %s
                  secret: ${HYPHAE_SECRET}
                node:
                  name: ${NODE_NAME}
                  bind: 127.0.0.1:${PORT}
                discovery:
                %s# Fast failure detection for one machine (docs/node.md): a killed node is down in ~2 s.
                transport:
                  heartbeat-interval: 250ms
                  heartbeat-timeout: 1s
                directory:
                  suspicion-timeout: 2s
                """.formatted(name, discoveryBlock);
        Path file = workDir.resolve("demo.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private void writePids() {
        String pids = nodes.stream().filter(n -> n.process() != null).map(n -> Long.toString(n.process().pid()))
                .collect(Collectors.joining("\n", "", "\n"));
        try {
            Files.writeString(workDir.resolve("pids"), pids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    double elapsedSeconds() {
        return out.elapsedSeconds();
    }

    void line(String text) {
        out.step(text);
    }

    /** Stops every node process still running: SIGTERM (they leave gracefully) and SIGKILL after 5 s. */
    @Override
    public void close() {
        List<ChildProcess> running = nodes.stream().map(DemoNode::process)
                .filter(p -> p != null && p.isAlive()).toList();
        if (running.isEmpty()) {
            return;
        }
        phase = Phase.QUIET;
        out.step("stopping " + running.size() + " nodes");
        running.parallelStream().forEach(p -> p.stop(Duration.ofSeconds(5)));
        out.line("stopped every process the demo started");
    }

    /** A step of the demo that did not happen. */
    public static final class DemoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }
}
